using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.MonteCarlo;

/// <summary>
/// Several near-equal rank bottlenecks: hard tanh, widths 70-20-5-6-35-5-5-6-33 scaled by 40 (the robustness
/// sweep's draw #44). The non-zero part has a component near zero below the critical point found from the rank
/// side; before the mass check the grid started above it and the law integrated to 1 - 0.027.
/// </summary>
public sealed class RankTieMonteCarloTests
{
    private readonly ITestOutputHelper _output;

    public RankTieMonteCarloTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void NearEqualRankBottlenecks_MassIsOneAndDecilesMatchSampledNetwork()
    {
        var widths = new[] { 70, 20, 5, 6, 35, 5, 5, 6, 33 }.Select(w => 40 * w).ToArray();
        var network = NetworkArchitecture.Uniform(widths, Activation.HardTanh, 1.367, 0.05);
        var law = JacobianSpectrum.Compute(network);
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-3, 1 + 1e-3);
        var sample = RandomNetworkSampler.Sample(network, seed: 44, draws: 3);
        var comparison = SpectrumComparison.Compare("hard tanh near-tie", law, sample);
        _output.WriteLine(comparison.Describe());
        // Measured (3 draws): zero fraction -0.0013, decile level errors at most 0.006, decile ln ratios at most 0.08.
        // The zero fraction moves with the minimum of binomial active counts (sd about 6 units of 2800 here): 0.01.
        // Level errors: 0.03, the allowance of the other hard-tanh comparisons at this width. The mean is not
        // compared: at widths of 200 the sampled mean is carried by a few large eigenvalues (ln ratio 0.10 here).
        Assert.InRange(comparison.ZeroFractionError, -0.01, 0.01);
        foreach (double e in comparison.LevelErrors) Assert.InRange(e, -0.03, 0.03);
    }
}
