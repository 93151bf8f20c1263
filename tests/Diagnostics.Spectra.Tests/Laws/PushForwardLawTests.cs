using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Tests.MonteCarlo;
using MathNet.Numerics.Distributions;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// One smooth orthogonal layer that does not widen, then only square orthogonal identity layers: J J^T = C D_1^2 with
/// C = prod sigma_l^2, so the law of J^T J is the law of C phi'(sqrt(q_1) Z)^2 (mass N_1 / N_0) plus the atom at zero.
/// Before the push-forward path these networks ended in a typed exception (the K-atom discretisation is K atoms here).
/// </summary>
public sealed class PushForwardLawTests
{
    private readonly ITestOutputHelper _output;

    public PushForwardLawTests(ITestOutputHelper output) => _output = output;

    /// <summary>
    /// tanh: s = C sech^4(sqrt(q) z) &lt;= x iff |z| &gt;= arccosh((C / x)^(1/4)) / sqrt(q), so the CDF of the non-zero part is
    /// 2 (1 - Phi(arccosh((C/x)^(1/4)) / sqrt(q))) over its live mass: a closed form independent of the level sets.
    /// </summary>
    /// <remarks>A last orthogonal layer that widens (n2 &gt; n1, orthonormal columns) is an isometry too: the sweep's
    /// seed 109220 (998-296-1152, sigma_w^2 2.075) ended in a typed exception before such layers were admitted.</remarks>
    [Theory]
    [InlineData(400, 400, 400, 1.2)]
    [InlineData(500, 300, 300, 1.7)]
    [InlineData(998, 296, 1152, 2.075)]
    public void OneTanhLayer_IsThePushForwardOfTheGaussian(int n0, int n1, int n2, double sigma2)
    {
        var network = NetworkArchitecture.Uniform(new[] { n0, n1, n2 }, Activation.Tanh, sigma2, 0, WeightDistribution.Orthogonal, Activation.Identity);
        var law = JacobianSpectrum.Compute(network);
        double c = sigma2 * sigma2, q = law.Propagation.Q[0];
        Assert.Equal(c, law.SupportUpper, 9);
        // The atom: the rank deficit plus the units inactive at double precision (about 3e-6 of them at sigma_w^2 2.075).
        double live = 1 - law.DerivativeLaws[0].ZeroMass;
        Assert.Equal(1 - (double)n1 / n0 * live, law.AtomAtZero, 12);
        // P(s <= x) counts the inactive units too; they sit in the atom at zero, not in the non-zero part.
        double Exact(double x) => (2 * (1 - Normal.CDF(0, 1, Math.Log(Math.Pow(c / x, 0.25) + Math.Sqrt(Math.Sqrt(c / x) - 1)) / Math.Sqrt(q))) - (1 - live)) / live;
        // At the grid points the CDF is the Gaussian measure of the level sets (bisection to 1e-15 in z), normalised by the
        // live mass of the level sets, while the closed form uses the D^2 law's inactive mass (its own crossings): measured
        // 1.6e-13 to 2.5e-10 (1.6e-9 before a hair-wide flat piece at the maximum of s was counted).
        double worstNode = 0;
        for (int k = 0; k < law.Grid.Count; k += 37) worstNode = Math.Max(worstNode, Math.Abs(law.CdfNonZero(law.Grid[k]) - Exact(law.Grid[k])));
        _output.WriteLine($"worst CDF error at the grid points {worstNode:g3}");
        Assert.True(worstNode < 1e-9, $"worst CDF error at the grid points {worstNode:g3}");
        // Between them the quantiles interpolate the CDF linearly in log x: with 1000 points the cell holding the 90%
        // level spans 0.4% in x where the CDF's slope in log x is about 0.3, and the interpolation's curvature error is
        // of order 1e-4 there.
        double worst = 0;
        for (int k = 1; k <= 9; k++)
        {
            double x = law.QuantileNonZero(k / 10.0);
            double exact = Exact(x);
            _output.WriteLine($"decile {k}: x {x:g6}, closed-form level {exact:0.000000}");
            worst = Math.Max(worst, Math.Abs(exact - k / 10.0));
        }

        Assert.True(worst < 3e-4, $"worst level error {worst:g3}");
        // Identities from the density's quadrature (1/n convergence; 1000 default points).
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-3, 1 + 1e-3);
    }

    [Fact]
    public void OneEluLayer_HasAnAtomOfHalfTheMassAtSigma2()
    {
        // ELU's phi' = 1 for h > 0: half the units give exactly sigma^2, the rest a continuous law below it.
        const double sigma2 = 1.3;
        var law = JacobianSpectrum.Compute(NetworkArchitecture.Uniform(new[] { 400, 400 }, Activation.Parse("elu"), sigma2, 0, WeightDistribution.Orthogonal, Activation.Parse("elu")));
        Assert.Single(law.NonZeroAtoms);
        Assert.Equal(sigma2, law.NonZeroAtoms[0].Position, 12);
        Assert.Equal(0.5, law.NonZeroAtoms[0].Mass, 9);
        Assert.Equal(0.5, law.AtomAtTop, 9);
        Assert.Equal(sigma2, law.QuantileNonZero(0.75));
        Assert.True(law.QuantileNonZero(0.25) < sigma2);
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-3, 1 + 1e-3);
    }

    /// <summary>
    /// Real orthogonal GELU networks 400-400-400 (last identity): the eigenvalues of J^T J are sigma^4 phi'(h_i)^2, so the
    /// sampled deciles differ from the law only by the sampling of the 400 h_i per draw (empirical CDF sd 0.5/sqrt(800)
    /// = 0.018 over 2 draws): tolerance 0.05 in level, as for the other orthogonal Monte-Carlo tests.
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void OneGeluLayer_DecilesMatchSampledNetworks()
    {
        var network = NetworkArchitecture.Uniform(new[] { 400, 400, 400 }, Activation.Parse("gelu"), 1.7, 0.05, WeightDistribution.Orthogonal, Activation.Identity);
        var law = JacobianSpectrum.Compute(network);
        var sample = RandomNetworkSampler.Sample(network, seed: 31, draws: 2);
        var nonZero = sample.Above(1e-9 * sample.LargestPerDraw.Min()).OrderBy(x => x).ToArray();
        double worst = 0;
        for (int k = 1; k <= 9; k++)
        {
            double sampled = SampledSpectrum.Quantile(nonZero, k / 10.0);
            double level = law.CdfNonZero(sampled);
            _output.WriteLine($"decile {k}: sampled {sampled:g5}, engine level {level:0.000}");
            worst = Math.Max(worst, Math.Abs(level - k / 10.0));
        }

        Assert.True(worst < 0.05, $"worst decile level error {worst:g3}");
    }
}
