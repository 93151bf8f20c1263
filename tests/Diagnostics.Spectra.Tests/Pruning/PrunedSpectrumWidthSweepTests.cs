using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// Width sweep n = 256, 512, 1024 of critical ReLU networks (3 square layers) pruned WITHOUT rescaling at s = 0.5 and 0.9,
/// random and magnitude: sampled deciles and zero fraction against the engine's law of the effective architecture
/// (sigma^2 v per layer), and the mean of J^T J against prod v. Tolerances as in <see cref="PrunedSpectrumMonteCarloTests"/>:
/// level 0.035 (hard-edge finite-width bias, docs/engine) + 4 (0.3 / sqrt n) / sqrt(draws); zero fraction one binomial sd
/// 0.5 / sqrt(n) of bias + 4 sd / sqrt(draws); mean: ln ratio within 4 (0.067 sqrt(400 / n)) / sqrt(draws) (per-draw sd
/// 0.067 at n = 400, docs/engine). d = (1 - s) n >= 25 kept weights per row, above the observed edge for both methods
/// at the deciles.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PrunedSpectrumWidthSweepTests
{
    private readonly ITestOutputHelper _output;

    public PrunedSpectrumWidthSweepTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(256, "random", 0.5)]
    [InlineData(256, "magnitude", 0.9)]
    [InlineData(512, "random", 0.9)]
    [InlineData(512, "magnitude", 0.9)]
    [InlineData(1024, "random", 0.5)]
    [InlineData(1024, "random", 0.9)]
    [InlineData(1024, "magnitude", 0.5)]
    [InlineData(1024, "magnitude", 0.9)]
    public void NotRescaled_DecilesFollowTheEffectiveLaw(int n, string method, double s)
    {
        const int draws = 2;
        var dense = NetworkArchitecture.Uniform(new[] { n, n, n, n }, Activation.Relu, 2.0);
        var spectrum = PrunedSpectrum.Compute(dense, new PruningSpecification(s, PruningSpecification.ParseMethod(method), rescale: false),
            new SpectrumOptions { GridPoints = 300 });
        var sample = PrunedNetworkSampler.Sample(dense, spectrum.Network.Pruning, seed: 500 + n, draws);
        var c = SpectrumComparison.Compare($"ReLU {n}^4, {method} s = {s}, not rescaled", spectrum.Law, sample);
        _output.WriteLine(c.Describe());
        double level = 0.035 + 4 * 0.3 / Math.Sqrt(n) / Math.Sqrt(draws);
        double zero = 0.5 / Math.Sqrt(n) * (1 + 4 / Math.Sqrt(draws));
        double meanLog = 4 * 0.067 * Math.Sqrt(400.0 / n) / Math.Sqrt(draws);
        Assert.True(c.LevelErrors.All(e => Math.Abs(e) <= level), $"level errors beyond {level}:\n{c.Describe()}");
        Assert.True(Math.Abs(c.ZeroFractionError) <= zero, $"zero fraction beyond {zero}:\n{c.Describe()}");
        Assert.True(Math.Abs(c.MeanLogRatio) <= meanLog, $"mean beyond {meanLog}:\n{c.Describe()}");
        Assert.Equal(spectrum.Network.VarianceFactors.Aggregate(1.0, (p, v) => p * v), spectrum.MeanRatio, 10);
    }
}
