using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// ELU and SELU: phi' is constant for h &gt; 0, so the law of D^2 has an exact atom phi'(0+)^2 of mass 1/2. It is kept
/// exact (value and mass) and only the h &lt; 0 half is discretised, on Gauss-Hermite's own nodes there, rescaled to that
/// half's exact mass and mean. Before, the mean correction of the whole Gauss-Hermite law moved that atom, and the atoms
/// away from zero of orthogonal networks were not computed.
/// </summary>
public sealed class FlatHalfDiscretisationTests
{
    private readonly ITestOutputHelper _output;

    public FlatHalfDiscretisationTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("elu", 0.3, 16)]
    [InlineData("elu", 4.0, 48)]
    [InlineData("selu", 1.0, 16)]
    [InlineData("selu", 200.0, 48)]
    [InlineData("selu", 1e5, 48)]
    public void TheFlatHalfIsAnExactAtom_AndMassAndMeanAreExact(string name, double q, int atoms)
    {
        var phi = Activation.Parse(name);
        var law = DerivativeLaw.For(phi, q, atoms);
        double flat = phi.Derivative(1) * phi.Derivative(1);
        Assert.Equal(new[] { flat }, law.ExactValues);
        Assert.Equal(new[] { 0.5 }, law.ExactMasses);
        int j = Array.IndexOf(law.Values, flat);
        Assert.True(j >= 0, "the flat atom is among the law's atoms, unmoved");
        Assert.Equal(0.5, law.Masses[j]);
        Assert.False(law.IsExact);
        Assert.Equal(1, law.ZeroMass + law.Masses.Sum(), 14);
        Assert.Equal(ActivationMoments.DerivativeSecondMoment(phi, q), law.Mean, 1e-13 * law.Mean);
        // The continuous half lies below phi'(0-)^2 (above it for SELU's flat atom: lambda^2 < (lambda alpha)^2).
        double kink = phi.Derivative(-1e-300) * phi.Derivative(-1e-300);
        for (int i = 0; i < law.Values.Length; i++)
            if (i != j) Assert.InRange(law.Values[i], 0, kink * (1 + 1e-12));
    }

    /// <summary>
    /// E[phi'^4] = 1/2 + a^4 E[e^{4 s Z}; Z &lt; 0] for ELU (a = 1, s = sqrt q), in closed form: the discretised law's second
    /// moment converges to it, geometrically while the half-range rule resolves the kink (q = 1), and still within 1% at
    /// q = 30 (the kink's boundary layer 1/(2 s) = 0.09 wide). Measured relative errors: 5.7e-7 (K = 16) and 2.2e-14
    /// (K = 48) at q = 1, 6.8e-3 and 4.3e-4 at q = 30; Gauss-Hermite across the kink, before: 4.0e-3 / 1.1e-3 / 5.4e-4 at
    /// q = 1 and 10% / 5.3% / 1.3% at q = 30 for K = 16 / 48 / 192.
    /// </summary>
    [Theory]
    [InlineData(1.0, 16, 1e-5)]
    [InlineData(1.0, 48, 1e-12)]
    [InlineData(30.0, 16, 1e-2)]
    [InlineData(30.0, 48, 1e-3)]
    public void TheSecondMomentConverges(double q, int atoms, double tolerance)
    {
        var elu = Activation.Parse("elu");
        var law = DerivativeLaw.For(elu, q, atoms);
        double exact = 0.5 + ActivationMoments.LowerExponentialMoment(4 * Math.Sqrt(q));
        double second = 0;
        for (int i = 0; i < law.Values.Length; i++) second += law.Masses[i] * law.Values[i] * law.Values[i];
        double error = Math.Abs(second / exact - 1);
        _output.WriteLine($"q = {q}, K = {atoms}: E[phi'^4] {second:R} against {exact:R}, relative error {error:g3}");
        Assert.True(error < tolerance, $"relative error {error:g3}");
    }

    /// <summary>
    /// One ELU layer between square orthogonal ones, then a compression to 0.8: an atom at sigma^6 of mass
    /// (0.8 + 1/2 - 1)/0.8 = 0.375 in the 240-wide law, i.e. 0.375 x 240/300 = 0.3 of J^T J, from the flat half's exact
    /// atom (<see cref="NonZeroAtoms"/>). A sampled network has exactly (#(h &gt; 0) - 60)/300 of its eigenvalues there
    /// (within 1e-9 relative): binomial, sd 8.7/300 = 0.029 per draw, 0.010 over 8 draws; tolerance 4 sd = 0.04 (it tells
    /// 0.3 from the 240-normalised 0.375 and from no atom).
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void OrthogonalElu_AtomAwayFromZero_MatchesSampledNetworks()
    {
        var elu = Activation.Parse("elu");
        var layers = new[]
        {
            new Layer(Activation.Identity, 1.2, 0, WeightDistribution.Orthogonal),
            new Layer(elu, 1.2, 0.05, WeightDistribution.Orthogonal),
            new Layer(Activation.Identity, 1.2, 0, WeightDistribution.Orthogonal),
        };
        var network = new NetworkArchitecture(new[] { 300, 300, 300, 240 }, layers);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l])).ToArray();
        var atom = Assert.Single(NonZeroAtoms.Of(network, laws));
        double position = Math.Pow(1.2, 3);
        Assert.Equal(position, atom.Position, 1e-12 * position);
        Assert.Equal(0.3, atom.Mass, 1e-12);

        var sample = RandomNetworkSampler.Sample(network, seed: 5, draws: 8);
        double atSigma6 = sample.Eigenvalues.Count(x => Math.Abs(x - position) <= 1e-9 * position) / (double)sample.Eigenvalues.Length;
        _output.WriteLine($"engine atom {atom.Mass:g6} at {atom.Position:g6}; sampled fraction there {atSigma6:g6}");
        Assert.InRange(atSigma6, atom.Mass - 0.04, atom.Mass + 0.04);
    }
}
