using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using Xunit;

namespace Diagnostics.Runtime.Tests.Monitoring;

/// <summary>eta against 2 / lambda_max in the linearised regime, where the bound is exact.</summary>
public class LearningRateBoundTests
{
    /// <summary>
    /// A one-layer linear network: the half-MSE loss is exactly quadratic in the parameters, with Hessian equal to the
    /// Gauss-Newton matrix (1/M) J_theta^T J_theta, so gradient descent diverges iff eta &gt; 2 / lambda_max.
    /// </summary>
    private static (ReferenceMlp Net, TeacherStudentData Data, double Lambda) LinearProblem()
    {
        var data = TeacherStudentData.Generate(48, 12, 3, 31);
        var net = ReferenceMlp.Uniform(new[] { 12, 3 }, Activation.Identity, MlpInitialization.Gaussian(1, 0.1), 32);
        net.SetProbes(data.Inputs.ToArray());
        var lambda = new FisherMaxEigenvalueEstimator { Tolerance = 1e-10, MaxIterations = 60 }.Estimate(net);
        Assert.Equal(EstimateStatus.Converged, lambda.Status);
        return (net, data, lambda.Value);
    }

    [Theory]
    [InlineData(0.95, false)]
    [InlineData(1.05, true)]
    public void GradientDescent_DivergesExactlyAboveTheBound(double rateOverBound, bool diverges)
    {
        var (net, data, lambda) = LinearProblem();
        net.LearningRate = rateOverBound * 2 / lambda;
        var events = new List<MonitorEvent>();
        var sharpness = new SharpnessQuantity(Schedule.Every(10), LossNormalization.HalfSquaredErrorMeanOverSamples);
        using var monitor = new TrainingMonitor(net, new MonitorOptions
        {
            Quantities = new MonitoredQuantity[] { sharpness, new LearningRateBoundQuantity(Schedule.Every(10), sharpness) },
        });
        monitor.EventRaised += (_, e) => events.Add(e);
        double first = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
        for (int step = 0; step < 400; step++) monitor.Step(net.TrainStep(data.Inputs, data.Targets, MlpLoss.HalfSquaredError));
        double last = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);

        // Along the top eigenvector the error is multiplied by |1 - eta lambda| = 0.9 or 1.1 per step: after 400 steps
        // 1.1^400 ~ 4e16 against 0.9^400 ~ 5e-19 (the loss converges to the least-squares residual instead).
        if (diverges) Assert.True(last > 1e6 * first, $"loss {first:G3} -> {last:G3}");
        else Assert.True(last < first, $"loss {first:G3} -> {last:G3}");

        // The monitor saw it: the margin eta lambda / 2 recorded is the one set, the warning fires only above the bound.
        var margin = monitor.History.Series(QuantityNames.LearningRateMargin)[0];
        Assert.Equal(rateOverBound, margin.Value, 6);
        Assert.Equal(diverges, events.Any(e => e.Kind == MonitorEventKind.LearningRateAboveBound));
        if (diverges)
        {
            var warning = events.First(e => e.Kind == MonitorEventKind.LearningRateAboveBound);
            Assert.True(warning.SuggestedLearningRate < 2 / lambda, "the suggestion must be below the bound");
        }
    }

    [Fact]
    public void CurvatureFactor_ConvertsToTorchSharpMseLoss()
    {
        // MSELoss() = (1/(M K)) sum ||f - y||^2 = (2/K) x (1/(2M)) sum ||f - y||^2: its Hessian is 2/K times ours.
        Assert.Equal(2.0 / 10, SharpnessQuantity.CurvatureFactor(LossNormalization.SquaredErrorMeanOverElements, 10), 15);
        Assert.Equal(1.0, SharpnessQuantity.CurvatureFactor(LossNormalization.CrossEntropyMeanOverSamples, 10));
    }
}
