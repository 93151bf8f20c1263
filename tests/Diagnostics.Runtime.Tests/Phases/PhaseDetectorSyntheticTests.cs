using Diagnostics.Runtime.Phases;
using MathNet.Numerics.Distributions;
using Xunit;

namespace Diagnostics.Runtime.Tests.Phases;

public class PhaseDetectorSyntheticTests
{
    private static double Noise(Random random, double sd, bool heavyTailed) =>
        heavyTailed ? sd * StudentT.Sample(random, 0, 1, 3) / Math.Sqrt(3) : Normal.Sample(random, 0, sd);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FlatNoisySeries_StaysInStagnation(bool heavyTailed)
    {
        // 40 seeds x 150 readings, noise sd 0.05 in log ||J|| (5% fluctuations of the norm, larger than the Lanczos
        // error bars by orders of magnitude): not a single false change is allowed.
        for (int seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            var detector = new PhaseDetector();
            for (int t = 0; t < 150; t++) detector.Add(t * 10, 0.7 + Noise(random, 0.05, heavyTailed));
            Assert.True(detector.Changes.Count == 1 && detector.Phase == TrainingPhase.Stagnation,
                $"seed {seed}: " + string.Join("; ", detector.Changes.Select(c => $"{c} slope {c.Slope:G3} noise {c.Noise:G3}")));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FlatDropFlat_GivesStagnationDescentConvergence(bool heavyTailed)
    {
        // log ||J|| flat for readings 0-59, drops by 1.2 linearly over readings 60-119 (0.02 per reading), flat after.
        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(100 + seed);
            var detector = new PhaseDetector();
            for (int t = 0; t < 200; t++)
            {
                double level = t < 60 ? 0 : t < 120 ? -0.02 * (t - 60) : -1.2;
                detector.Add(t, level + Noise(random, 0.03, heavyTailed));
            }

            var phases = detector.Changes.Select(c => c.To).ToArray();
            Assert.True(phases.SequenceEqual(new[] { TrainingPhase.Stagnation, TrainingPhase.Descent, TrainingPhase.Convergence }),
                $"seed {seed}: " + string.Join("; ", detector.Changes.Select(c => $"{c} slope {c.Slope:G3} noise {c.Noise:G3}")));
            // Each change within about one window (8 readings) plus the confirmations of the true change point.
            Assert.InRange(detector.Changes[1].Step, 60, 60 + 14);
            Assert.InRange(detector.Changes[2].Step, 120, 120 + 14);
        }
    }

    [Fact]
    public void Rise_IsReportedAsGrowth()
    {
        var random = new Random(5);
        var detector = new PhaseDetector();
        for (int t = 0; t < 100; t++) detector.Add(t, (t < 40 ? 0 : 0.05 * (t - 40)) + Normal.Sample(random, 0, 0.02));
        Assert.Equal(TrainingPhase.Growth, detector.Phase);
    }

    [Fact]
    public void NonFiniteAndRepeatedSteps_AreIgnored()
    {
        var detector = new PhaseDetector();
        for (int t = 0; t < 25; t++) detector.Add(t, 1.0);
        Assert.Null(detector.Add(25, double.NaN));
        Assert.Null(detector.Add(24, -5));
        Assert.Equal(TrainingPhase.Stagnation, detector.Phase);
    }

    [Fact]
    public void TheilSen_IgnoresOutliers()
    {
        // 3 gross outliers in 20 points (15%) leave the median of the pairwise slopes on the true slope.
        var points = Enumerable.Range(0, 20).Select(t => ((double)t, 2.0 - 0.1 * t)).ToList();
        points[3] = (3, 50);
        points[11] = (11, -40);
        points[17] = (17, 30);
        var (slope, _) = PhaseDetector.TheilSen(points);
        Assert.InRange(slope, -0.1001, -0.0999);
    }
}
