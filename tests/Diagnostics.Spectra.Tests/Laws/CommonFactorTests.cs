using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// A square orthogonal identity layer (or an orthogonal first layer that narrows) puts the same linear factor 1 + c m in
/// A and B of the master equation, so m = -1/c solves it at every zeta. Before the factors were cancelled, the chained
/// walk was certified onto that root next to zeta = 0 and followed it: a density of zero and a law of mass 1 - rank
/// returned without an exception (sweep seed 106869; 95 of 270 orthogonal tanh/softplus/GELU networks with a 15-15
/// identity output layer).
/// </summary>
public sealed class CommonFactorTests
{
    private readonly ITestOutputHelper _output;

    public CommonFactorTests(ITestOutputHelper output) => _output = output;

    private static NetworkArchitecture WithSquareIdentityOutput(int[] widths, string activation, double sigma2)
    {
        var phi = Activation.Parse(activation);
        var layers = new List<Layer>();
        for (int l = 1; l < widths.Length; l++) layers.Add(new Layer(phi, sigma2, 0, WeightDistribution.Orthogonal));
        layers.Add(new Layer(Activation.Identity, sigma2, 0, WeightDistribution.Orthogonal));
        return new NetworkArchitecture(widths.Append(widths[^1]).ToArray(), layers);
    }

    private static NetworkArchitecture Without(int[] widths, string activation, double sigma2) =>
        NetworkArchitecture.Uniform(widths, Activation.Parse(activation), sigma2, 0, WeightDistribution.Orthogonal, Activation.Parse(activation));

    [Fact]
    public void SquareOrthogonalIdentityLayer_SharesNoFactorBetweenAAndB()
    {
        var network = NetworkArchitecture.Uniform(new[] { 212, 23, 15, 15 }, Activation.Relu, 2, 0, WeightDistribution.Orthogonal, Activation.Identity);
        var propagation = Diagnostics.Spectra.MeanField.SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l])).ToArray();
        var equation = MasterEquation.Create(network, laws);
        var a = equation.AFactors().Select(f => f.a).ToArray();
        foreach (var (e, _) in equation.BFactors())
            Assert.DoesNotContain(a, x => Math.Abs(x - e) <= 1e-12 * e);
    }

    /// <summary>
    /// J' = sigma Q J for a square orthogonal Q: the law of J'^T J' is that of J^T J scaled by sigma^2, exactly. The
    /// networks are among those that failed silently (mass 1 - 15/212 or 1 - 15/100, density mean 0).
    /// </summary>
    [Theory]
    [InlineData("softplus", new[] { 212, 23, 15 }, 1.5)]
    [InlineData("softplus", new[] { 100, 40, 80, 40, 15 }, 2.212)]
    [InlineData("tanh", new[] { 212, 40, 15 }, 3.0)]
    [InlineData("gelu", new[] { 400, 300, 600, 15 }, 1.5)]
    public void SquareOrthogonalIdentityOutput_IsTheLawWithoutItScaledBySigma2(string activation, int[] widths, double sigma2)
    {
        var with = JacobianSpectrum.Compute(WithSquareIdentityOutput(widths, activation, sigma2));
        var without = JacobianSpectrum.Compute(Without(widths, activation, sigma2));
        _output.WriteLine($"{activation} {string.Join(",", widths)}: mass {with.TotalMass:g8} vs {without.TotalMass:g8}, density mean / mean {with.DensityMean / with.Mean:g8}");

        Assert.InRange(with.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(with.DensityMean / with.Mean, 1 - 1e-2, 1 + 1e-2);
        Assert.Equal(without.AtomAtZero, with.AtomAtZero, 12);
        Assert.Equal(sigma2 * without.Mean, with.Mean, 1e-12 * with.Mean);
        // Both laws come from their own grids and walks: the non-zero deciles agree to the discretisation's accuracy.
        foreach (double level in new[] { 0.1, 0.3, 0.5, 0.7, 0.9 })
            Assert.Equal(1, with.QuantileNonZero(level) / (sigma2 * without.QuantileNonZero(level)), 2e-3);
    }

    /// <summary>
    /// Real random networks: orthogonal tanh 800-600-80 then a square orthogonal identity 80-80 (the non-zero part is
    /// 10% of the law, 80 eigenvalues per draw, 8 draws: decile level sd sqrt(0.09 / 640) = 0.012; tolerance 5 sd = 0.06;
    /// measured at most 0.032, mean 1.3% apart). The zero fraction is exact: 1 - 80/800 in both.
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void SquareOrthogonalIdentityOutput_DecilesMatchSampledNetwork()
    {
        var network = WithSquareIdentityOutput(new[] { 800, 600, 80 }, "tanh", 3.0);
        var law = JacobianSpectrum.Compute(network);
        var comparison = SpectrumComparison.Compare("orthogonal tanh, square identity output", law, RandomNetworkSampler.Sample(network, seed: 6869, draws: 8));
        _output.WriteLine(comparison.Describe());
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(comparison.ZeroFractionError, -1e-6, 1e-6);
        foreach (double e in comparison.LevelErrors) Assert.InRange(e, -0.06, 0.06);
    }
}
