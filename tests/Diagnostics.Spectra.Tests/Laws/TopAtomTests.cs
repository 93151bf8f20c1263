using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// Laws with a point mass at the top of the support. With square orthogonal weights and D^2 in {0, 1} (hard tanh,
/// ReLU), J^T J = prod sigma_l^2 times a product of free projections of traces p_l; a unit vector left untouched by
/// every projection keeps the largest possible squared singular value prod sigma_l^2, and the intersection of the
/// active subspaces has dimension fraction max(0, sum_l p_l - (L - 1)).
/// </summary>
public sealed class TopAtomTests
{
    private readonly ITestOutputHelper _output;

    public TopAtomTests(ITestOutputHelper output) => _output = output;

    private static NetworkArchitecture OrthogonalSquare(Activation phi, int depth, double sigma2, int width = 500) =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(width, depth + 1).ToArray(), phi, sigma2, 0, WeightDistribution.Orthogonal);

    [Theory]
    [InlineData(4, 1.0)]
    [InlineData(5, 0.9)]
    [InlineData(8, 0.8)]
    public void OrthogonalHardTanh_TopAtomIsTheIntersectionOfActiveSubspaces(int depth, double sigma2)
    {
        var network = OrthogonalSquare(Activation.HardTanh, depth, sigma2);
        var law = JacobianSpectrum.Compute(network);
        double sumActive = law.Propagation.ActiveFractions.Sum();
        double expected = Math.Max(0, sumActive - (depth - 1));
        Assert.True(expected > 0.05, $"the case should have a top atom (sum p = {sumActive:g4})");
        Assert.Equal(expected, law.AtomAtTop, 9);
        Assert.Equal(Math.Pow(sigma2, depth), law.SupportUpper, 9);
        Assert.True(law.ContinuousUpper < law.SupportUpper, $"continuous part ends at {law.ContinuousUpper:g6}, atom at {law.SupportUpper:g6}");
        // Identities: total mass and mean (the moments are exact; the density and the atom must reproduce them).
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-3, 1 + 1e-3);
        // The CDF jumps by the atom at the top, and the quantiles above 1 - atom fraction are the atom.
        double below = law.CdfNonZero(law.SupportUpper * (1 - 1e-12));
        Assert.Equal(1 - law.TopAtomFraction, below, 12);
        Assert.Equal(law.SupportUpper, law.QuantileNonZero(1 - law.TopAtomFraction / 2));
    }

    [Fact]
    public void OneOrthogonalReluLayer_IsAPointMassAtSigma2()
    {
        var law = JacobianSpectrum.Compute(OrthogonalSquare(Activation.Relu, 1, 2.0));
        Assert.True(law.IsPointMass);
        Assert.Equal(0.5, law.AtomAtZero, 12);
        Assert.Equal(0.5, law.AtomAtTop, 12);
        Assert.Equal(2.0, law.SupportUpper, 9);
        Assert.Equal(1.0, law.Mean, 12);
    }

    [Fact]
    public void TwoOrthogonalReluLayers_HaveNoTopAtom()
    {
        // sum p = 1 = L - 1: the intersection is empty in the limit.
        var law = JacobianSpectrum.Compute(OrthogonalSquare(Activation.Relu, 2, 2.0));
        Assert.Equal(0, law.AtomAtTop);
        Assert.Equal(law.SupportUpper, law.ContinuousUpper);
    }

    /// <summary>
    /// Real orthogonal hard-tanh networks of width 800: the fraction of eigenvalues at prod sigma^2 (to 1e-8 relative)
    /// is max(0, sum n_l / N - (L - 1)) for the sampled active counts n_l, which fluctuate by about
    /// sqrt(L p (1 - p) / N) ~ 0.03 around the limit: tolerance 0.08 for the atom. The continuous part is compared
    /// by its deciles (level errors), with the 0.05 tolerance of the other orthogonal Monte-Carlo tests.
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void OrthogonalHardTanh_TopAtomAndDecilesMatchSampledNetwork()
    {
        const int depth = 5;
        const double sigma2 = 0.9;
        var network = OrthogonalSquare(Activation.HardTanh, depth, sigma2, 800);
        var law = JacobianSpectrum.Compute(network);
        var sample = RandomNetworkSampler.Sample(network, seed: 11, draws: 2);
        double top = Math.Pow(sigma2, depth);
        var eigen = sample.Eigenvalues;
        double atTop = eigen.Count(x => Math.Abs(x - top) <= 1e-8 * top) / (double)eigen.Length;
        _output.WriteLine($"top atom: engine {law.AtomAtTop:0.0000} sampled {atTop:0.0000}; continuous edge {law.ContinuousUpper:g5}");
        Assert.InRange(atTop - law.AtomAtTop, -0.08, 0.08);

        // The continuous part: sampled deciles of the eigenvalues strictly between zero and the atom, against the
        // engine's CDF restricted to the continuous part.
        var continuous = eigen.Where(x => x > 1e-10 * top && x < top * (1 - 1e-8)).OrderBy(x => x).ToArray();
        double massBelowTop = 1 - law.TopAtomFraction;
        double worst = 0;
        for (int k = 1; k <= 9; k++)
        {
            double sampled = SampledSpectrum.Quantile(continuous, k / 10.0);
            double level = law.CdfNonZero(sampled) / massBelowTop;
            _output.WriteLine($"  decile {k}: sampled {sampled:g5}, engine level {level:0.000}");
            worst = Math.Max(worst, Math.Abs(level - k / 10.0));
        }

        Assert.True(worst < 0.05, $"worst decile level error {worst:g3}");
    }
}
