using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// Error of the K-atom Gauss-Hermite discretisation of smooth D^2 laws, measured against a K = 384 reference
/// (the Monte-Carlo side of the same question is in <c>MonteCarlo/</c>). The error is the largest level error
/// |F_384(q_K(l)) - l| over the deciles l of the non-zero part: how far, in probability, the K-atom deciles sit.
/// </summary>
public sealed class SmoothDiscretisationTests
{
    private const int ReferenceAtoms = 384;

    private static double LevelError(NetworkArchitecture network, SquaredSingularValueLaw reference, int atoms)
    {
        var law = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = atoms });
        double worst = 0;
        foreach (var (level, q) in law.QuantilesNonZero())
            worst = Math.Max(worst, Math.Abs(reference.CdfNonZero(q) - level));
        return worst;
    }

    public static TheoryData<string, double, double> SmoothWithoutZeroDerivative => new()
    {
        // activation, sigma_w^2, sigma_b^2: 4 square layers.
        { "tanh", 1.5, 0.05 },
        { "sigmoid", 4.0, 0.0 },
    };

    /// <summary>
    /// For activations whose derivative never vanishes (tanh, sigmoid) the Gauss-Hermite discretisation converges
    /// fast: measured level errors 3e-2, 5e-3, 1e-3, 1e-4, 6e-6 (tanh) for K = 8, 16, 24, 48, 96. The test asks for
    /// a strict decrease from K = 12 to 48 and for the default K = 48 to be within 1e-3 of the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(SmoothWithoutZeroDerivative))]
    public void GaussHermiteAtoms_DecileErrorShrinksWithK(string activation, double sigma2, double bias)
    {
        var network = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500, 500 }, Activation.Parse(activation), sigma2, bias);
        var reference = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = ReferenceAtoms });
        Assert.InRange(reference.TotalMass, 1 - 1e-4, 1 + 1e-4);
        double e12 = LevelError(network, reference, 12);
        double e24 = LevelError(network, reference, 24);
        double e48 = LevelError(network, reference, DerivativeLaw.DefaultAtoms);
        Assert.True(e12 > e24 && e24 > e48, $"level errors K=12: {e12:g3}, K=24: {e24:g3}, K=48: {e48:g3} should decrease");
        Assert.True(e48 < 1e-3, $"K=48 level error {e48:g3}");
    }

    /// <summary>
    /// SiLU' vanishes at x = -1.28: Gauss-Hermite nodes near that zero give small isolated atoms of D^2, hence a
    /// separate cluster of tiny eigenvalues (about 9% of the mass here, below 1e-7). Before the mass check the grid
    /// stopped above that cluster and the deciles were off by up to 0.09 in level (also against Monte Carlo at width
    /// 500); with it the K = 48 law integrates to its exact mass and sits within 0.01 of the reference (measured
    /// 0.008 against 4 sampled networks of width 500).
    /// </summary>
    [Fact]
    public void SiluClusterOfTinyEigenvalues_MassRecoveredAndDecilesAgree()
    {
        var network = NetworkArchitecture.Uniform(new[] { 500, 500, 500 }, Activation.Parse("silu"), 1.8, 0);
        var law = JacobianSpectrum.Compute(network);
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        var reference = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = ReferenceAtoms });
        double error = LevelError(network, reference, DerivativeLaw.DefaultAtoms);
        Assert.True(error < 0.01, $"K=48 level error {error:g3}");
    }
}
