using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// Point masses away from zero (<see cref="SquaredSingularValueLaw.NonZeroAtoms"/>). With orthogonal weights and a
/// leaky-ReLU layer, D^2 = c_1 (h &gt; 0) or c_2 = slope^2 (h &lt; 0), each with mass 1/2; square orthogonal layers
/// around it leave J^T J = sigma^4 W^T D^2 W, two atoms and nothing else, and a compression by t = N_2 / N_1 &gt; 1/2
/// keeps atoms of mass (t - 1/2) / t at both ends with a free-projection continuous part between them
/// (Belinschi 2003: mu boxtimes nu has an atom at uv iff mu({u}) + nu({v}) &gt; 1, of mass mu({u}) + nu({v}) - 1).
/// </summary>
public sealed class NonZeroAtomTests
{
    private const double Slope = 0.3;
    private readonly ITestOutputHelper _output;

    public NonZeroAtomTests(ITestOutputHelper output) => _output = output;

    private static NetworkArchitecture OrthogonalLeaky(int[] widths, double sigma2) =>
        NetworkArchitecture.Uniform(widths, Activation.Parse("leaky_relu", Slope), sigma2, 0, WeightDistribution.Orthogonal, Activation.Identity);

    [Fact]
    public void NonZeroAtoms_AgreeWithTheResidueOfTheRationalMasterEquation()
    {
        // Orthogonal hard tanh: the rational path reads its top atom off the master equation (a residue); the atom
        // rule along the layers is an independent computation of the same mass.
        var network = NetworkArchitecture.Uniform(Enumerable.Repeat(500, 5).ToArray(), Activation.HardTanh, 1.0, 0, WeightDistribution.Orthogonal);
        var law = JacobianSpectrum.Compute(network);
        var atoms = NonZeroAtoms.Of(network, law.DerivativeLaws);
        Assert.Single(atoms);
        Assert.True(law.AtomAtTop > 0.05);
        Assert.Equal(law.AtomAtTop, atoms[0].Mass, 10);
        Assert.Equal(law.SupportUpper, atoms[0].Position, 9);
    }

    [Fact]
    public void OneLeakyLayerBetweenSquareOrthogonalLayers_IsTwoAtomsOfHalfTheMass()
    {
        const double sigma2 = 1.3;
        var law = JacobianSpectrum.Compute(OrthogonalLeaky(new[] { 400, 400, 400 }, sigma2));
        double high = sigma2 * sigma2, low = high * Slope * Slope;
        Assert.True(law.IsPurelyAtomic);
        Assert.False(law.IsPointMass);
        Assert.Equal(2, law.NonZeroAtoms.Count);
        Assert.Equal(low, law.NonZeroAtoms[0].Position, 12);
        Assert.Equal(high, law.NonZeroAtoms[1].Position, 12);
        Assert.Equal(0.5, law.NonZeroAtoms[0].Mass, 12);
        Assert.Equal(0.5, law.NonZeroAtoms[1].Mass, 12);
        Assert.Equal(0, law.AtomAtZero, 12);
        // The mean of the master equation (an independent product of gains) and the atoms' mean agree.
        Assert.Equal(law.Mean, law.DensityMean, 12);
        Assert.Equal(1, law.TotalMass, 12);
        Assert.Equal(low, law.QuantileNonZero(0.25));
        Assert.Equal(high, law.QuantileNonZero(0.75));
        Assert.Equal(0.5, law.CdfNonZero(Math.Sqrt(low * high)), 12);
        Assert.Equal(low, law.SupportLower, 12);
        Assert.Equal(high, law.SupportUpper, 12);
    }

    /// <summary>
    /// 600 -> 500 -> 400: J J^T = sigma^4 P D^2 P (P the compression to 400 of the 500 rotated units), i.e. on the
    /// 400-dimensional space b + (a - b) P Q P with Q a free projection of trace 1/2, a = sigma^4, b = a slope^2.
    /// Free projections of traces t and 1/2: atoms (t - 1/2)/t at 0 and 1, and the density
    /// sqrt((u - l-)(l+ - u)) / (2 pi u (1 - u)) on [l-, l+], l+- = (sqrt(t/2) +- sqrt((1 - t)/2))^2.
    /// </summary>
    [Fact]
    public void CompressedLeakyLaw_IsTheFreeProjectionLawBetweenTwoAtoms()
    {
        const double sigma2 = 1.2, t = 0.8;
        var law = JacobianSpectrum.Compute(OrthogonalLeaky(new[] { 600, 500, 400 }, sigma2));
        double a = sigma2 * sigma2, b = a * Slope * Slope;
        double lminus = Math.Pow(Math.Sqrt(t / 2) - Math.Sqrt((1 - t) / 2), 2), lplus = Math.Pow(Math.Sqrt(t / 2) + Math.Sqrt((1 - t) / 2), 2);
        double atomMass = (t - 0.5) / t * 400.0 / 600.0;
        Assert.Equal(2, law.NonZeroAtoms.Count);
        Assert.Equal(b, law.NonZeroAtoms[0].Position, 12);
        Assert.Equal(a, law.NonZeroAtoms[1].Position, 12);
        Assert.Equal(atomMass, law.NonZeroAtoms[0].Mass, 12);
        Assert.Equal(atomMass, law.NonZeroAtoms[1].Mass, 12);
        Assert.Equal(1.0 / 3, law.AtomAtZero, 12);
        Assert.Equal(law.NonZeroAtoms[1].Mass, law.AtomAtTop, 12);
        // Edges of the continuous part, to the bisection's threshold (1e-4 of the peak density).
        Assert.Equal(b + (a - b) * lplus, law.ContinuousUpper, 3e-4 * a);
        Assert.InRange(law.Grid[0], b + (a - b) * lminus, (b + (a - b) * lminus) * (1 + 1e-3));
        Assert.InRange(law.TotalMass, 1 - 1e-5, 1 + 1e-5);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-5, 1 + 1e-5);

        // The continuous part's CDF against the closed form, integrated numerically (u = (x - b) / (a - b)).
        const int steps = 200_000;
        var cdf = new double[steps + 1];
        for (int k = 0; k < steps; k++)
        {
            double theta0 = Math.PI * k / steps, theta1 = Math.PI * (k + 1) / steps;
            // u = l- + (l+ - l-)(1 - cos theta)/2 removes the square-root edges from the integrand.
            double mid = (theta0 + theta1) / 2, u = lminus + (lplus - lminus) * (1 - Math.Cos(mid)) / 2;
            double du = (lplus - lminus) * Math.Sin(mid) / 2 * (theta1 - theta0);
            cdf[k + 1] = cdf[k] + Math.Sqrt((u - lminus) * (lplus - u)) / (2 * Math.PI * u * (1 - u)) * du;
        }

        double total = cdf[steps];
        double continuousFraction = 1 - 2 * atomMass / (1 - law.AtomAtZero);
        double worst = 0;
        foreach (double level in new[] { 0.1, 0.3, 0.5, 0.7, 0.9 })
        {
            int k = Array.FindIndex(cdf, c => c >= level * total);
            double u = lminus + (lplus - lminus) * (1 - Math.Cos(Math.PI * k / steps)) / 2;
            double x = b + (a - b) * u;
            double engine = (law.CdfNonZero(x) - atomMass / (1 - law.AtomAtZero)) / continuousFraction;
            _output.WriteLine($"level {level}: x {x:g6}, engine level {engine:0.00000}");
            worst = Math.Max(worst, Math.Abs(engine - level));
        }

        Assert.True(worst < 2e-3, $"worst level error {worst:g3}");
    }

    /// <summary>
    /// Real orthogonal networks 800 -> 600 -> 450 (t = 3/4: atoms of mass (t - 1/2)/t x 450/800 = 0.1875 at sigma^4 c_j).
    /// At finite width the atom at sigma^4 is the intersection of the 450-dimensional image with the active units:
    /// its dimension is 450 + n_active - 600, n_active ~ Binomial(600, 1/2), so the sampled fraction fluctuates by
    /// sqrt(600/4)/800 = 0.015 per draw: tolerance 0.05. Continuous deciles: the 0.05 level tolerance of the other
    /// orthogonal Monte-Carlo tests.
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void CompressedLeakyLaw_AtomsAndDecilesMatchSampledNetworks()
    {
        const double sigma2 = 1.0;
        var network = OrthogonalLeaky(new[] { 800, 600, 450 }, sigma2);
        var law = JacobianSpectrum.Compute(network);
        var sample = RandomNetworkSampler.Sample(network, seed: 23, draws: 2);
        var eigen = sample.Eigenvalues;
        double a = sigma2 * sigma2, b = a * Slope * Slope;
        double atA = eigen.Count(x => Math.Abs(x - a) <= 1e-8 * a) / (double)eigen.Length;
        double atB = eigen.Count(x => Math.Abs(x - b) <= 1e-8 * b) / (double)eigen.Length;
        _output.WriteLine($"atoms: engine {law.NonZeroAtoms[0].Mass:0.0000} / {law.NonZeroAtoms[1].Mass:0.0000}, sampled {atB:0.0000} / {atA:0.0000}");
        Assert.Equal(0.1875, law.NonZeroAtoms[1].Mass, 12);
        Assert.InRange(atA - law.NonZeroAtoms[1].Mass, -0.05, 0.05);
        Assert.InRange(atB - law.NonZeroAtoms[0].Mass, -0.05, 0.05);

        var continuous = eigen.Where(x => x > b * (1 + 1e-8) && x < a * (1 - 1e-8)).OrderBy(x => x).ToArray();
        double below = law.NonZeroAtoms[0].Mass / (1 - law.AtomAtZero), fraction = 1 - 2 * below;
        double worst = 0;
        for (int k = 1; k <= 9; k++)
        {
            double sampled = SampledSpectrum.Quantile(continuous, k / 10.0);
            double level = (law.CdfNonZero(sampled) - below) / fraction;
            _output.WriteLine($"  decile {k}: sampled {sampled:g5}, engine level {level:0.000}");
            worst = Math.Max(worst, Math.Abs(level - k / 10.0));
        }

        Assert.True(worst < 0.05, $"worst decile level error {worst:g3}");
    }
}
