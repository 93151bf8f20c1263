using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Phases;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Runtime.Tests.Monitoring;

/// <summary>The phases of log ||J_t|| on real training of the reference MLP.</summary>
public class TrainingPhaseTests
{
    private readonly ITestOutputHelper _output;

    public TrainingPhaseTests(ITestOutputHelper output) => _output = output;

    private (TrainingMonitor Monitor, double Loss0, double Loss1) Train(double rateOverBound, int steps)
    {
        var data = TeacherStudentData.Generate(64, 16, 4, 21);
        var net = ReferenceMlp.Uniform(new[] { 16, 32, 32, 32, 4 }, Activation.Relu, MlpInitialization.Gaussian(2), 22, Activation.Identity);
        // The rate is set relative to the stability bound 2 / lambda_max of the full-batch loss at initialisation.
        net.SetProbes(data.Inputs.ToArray());
        double lambda = new FisherMaxEigenvalueEstimator().Estimate(net).Value;
        net.LearningRate = rateOverBound * 2 / lambda;
        net.SetProbes(data.FirstInputs(4));
        var monitor = new TrainingMonitor(net, new MonitorOptions
        {
            Quantities = new MonitoredQuantity[] { new JacobianNormQuantity(Schedule.Every(5)) },
        });
        double loss0 = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
        for (int step = 0; step < steps; step++) monitor.Step(net.TrainStep(data.Inputs, data.Targets, MlpLoss.HalfSquaredError));
        double loss1 = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
        var norms = monitor.History.Series(QuantityNames.JacobianNorm);
        _output.WriteLine($"eta = {rateOverBound} x 2/lambda: loss {loss0:G3} -> {loss1:G3}, ||J|| {norms[0].Value:G3} -> {norms[^1].Value:G3}, phases {string.Join(", ", monitor.Phases.Changes)}");
        return (monitor, loss0, loss1);
    }

    [Fact]
    public void SmallLearningRate_Stagnates()
    {
        var (monitor, loss0, loss1) = Train(0.002, 400);
        Assert.True(loss1 < loss0);
        Assert.Equal(new[] { TrainingPhase.Stagnation }, monitor.Phases.Changes.Select(c => c.To));
    }

    [Fact]
    public void NearOptimalLearningRate_DescendsThenConverges()
    {
        var (monitor, loss0, loss1) = Train(0.8, 400);
        Assert.True(loss1 < 0.2 * loss0);
        var phases = monitor.Phases.Changes.Select(c => c.To).ToArray();
        int descent = Array.IndexOf(phases, TrainingPhase.Descent);
        Assert.True(descent >= 0, "no descent phase: " + string.Join(", ", phases));
        Assert.Contains(TrainingPhase.Convergence, phases.Skip(descent));
        Assert.Equal(TrainingPhase.Convergence, monitor.Phases.Phase);
    }
}
