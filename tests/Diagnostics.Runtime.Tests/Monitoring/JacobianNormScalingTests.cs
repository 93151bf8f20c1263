using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Runtime.Tests.Monitoring;

/// <summary>
/// ||J||^2 of deep ReLU networks at initialisation scales as L (sigma_w^2 / 2)^L (the study's Theorem 1): at the critical
/// sigma_w^2 = 2 it grows at most linearly with depth, at sigma_w^2 = 4 it doubles per layer.
/// </summary>
public class JacobianNormScalingTests
{
    private readonly ITestOutputHelper _output;

    public JacobianNormScalingTests(ITestOutputHelper output) => _output = output;

    private static readonly int[] Depths = { 2, 4, 8, 16 };

    private static double SquaredNorm(int depth, double sigma2, int seed, out ReferenceMlp net)
    {
        const int width = 100;
        net = ReferenceMlp.Uniform(Enumerable.Repeat(width, depth + 1).ToArray(), Activation.Relu, MlpInitialization.Gaussian(sigma2), seed);
        net.SetProbes(TestData.GaussianInputs(2, width, seed + 1));
        var e = new SpectralNormEstimator { Tolerance = 1e-6 }.Estimate(net);
        Assert.True(e.HasValue, e.ToString());
        return e.Value * e.Value;
    }

    [Fact]
    public void CriticalInit_GrowsAtMostLinearly_ExplodingInitDoublesPerLayer()
    {
        var critical = Depths.Select(l => SquaredNorm(l, 2, 10 + l, out _)).ToArray();
        var exploding = Depths.Select(l => SquaredNorm(l, 4, 50 + l, out _)).ToArray();
        for (int k = 0; k < Depths.Length; k++)
            _output.WriteLine($"L={Depths[k]}: ||J||^2 critical {critical[k]:G4} (/L = {critical[k] / Depths[k]:G3}), sigma^2=4 {exploding[k]:G4} (/(L 2^L) = {exploding[k] / (Depths[k] * Math.Pow(2, Depths[k])):G3})");

        // Least-squares slope of log2 ||J||^2 against L: 1 per layer for sigma^2 = 4 ((sigma^2/2)^L = 2^L), and for the
        // critical network only the log2 L growth (slope about 0.1 over L = 2..16). Independent draws at width 100:
        // finite-width fluctuations of log2 ||J||^2 are ~ sqrt(L/N) <= 0.4, so slope tolerances of 0.15-0.25.
        double Slope(double[] y) => LeastSquaresSlope(Depths.Select(l => (double)l).ToArray(), y.Select(Math.Log2).ToArray());
        double criticalSlope = Slope(critical), explodingSlope = Slope(exploding);
        _output.WriteLine($"slopes of log2 ||J||^2 per layer: critical {criticalSlope:F3}, sigma^2=4 {explodingSlope:F3}");
        Assert.InRange(criticalSlope, -0.15, 0.2);
        Assert.InRange(explodingSlope, 0.85, 1.25);

        // At most linear at criticality, and the scaling itself: ||J||^2 / (L (sigma^2/2)^L) stays in one band of
        // constants for both gains and all depths (measured 1.5-4.8: the ratio drifts down with L at finite width).
        for (int k = 0; k < Depths.Length; k++)
        {
            Assert.InRange(critical[k] / Depths[k], 0.5, 8);
            Assert.InRange(exploding[k] / (Depths[k] * Math.Pow(2, Depths[k])), 0.5, 8);
        }
    }

    [Fact]
    public void CriticalInit_StaysLinearThroughTraining()
    {
        // A depth-16 critical ReLU network trained 80 SGD steps on teacher data keeps ||J||^2 / L inside the same band.
        const int depth = 16;
        var net = ReferenceMlp.Uniform(new[] { 16 }.Concat(Enumerable.Repeat(32, depth - 1)).Concat(new[] { 4 }).ToArray(),
            Activation.Relu, MlpInitialization.Gaussian(2), 3, Activation.Identity);
        var data = TeacherStudentData.Generate(32, 16, 4, 4);
        net.SetProbes(data.FirstInputs(4));
        var estimator = new SpectralNormEstimator { Tolerance = 1e-4 };
        var fisher = new FisherMaxEigenvalueEstimator();
        fisher.Estimate(net);
        net.SetProbes(data.Inputs.ToArray());
        double lambda = fisher.Estimate(net).Value;
        net.SetProbes(data.FirstInputs(4));
        net.LearningRate = 0.5 * 2 / lambda;
        double first = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
        var ratios = new List<double>();
        for (int step = 0; step < 80; step++)
        {
            net.TrainStep(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
            if (step % 20 == 0)
            {
                var e = estimator.Estimate(net);
                ratios.Add(e.Value * e.Value / depth);
            }
        }

        double last = net.Loss(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
        _output.WriteLine($"loss {first:G3} -> {last:G3}; ||J||^2/L: {string.Join(", ", ratios.Select(r => r.ToString("G3")))}");
        Assert.True(last < first, "training did not lower the loss");
        // Width 32 with depth 16 (L/N = 0.5) and a 16 -> 32 -> 4 shape (N_L/N_0 = 1/4): band [0.02, 8] around the
        // critical constant, far below the 2^16 = 65536 factor an exploding network would show.
        Assert.All(ratios, r => Assert.InRange(r, 0.02, 8));
    }

    private static double LeastSquaresSlope(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average();
        return x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
    }
}
