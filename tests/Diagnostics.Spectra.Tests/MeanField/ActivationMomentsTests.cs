using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using MathNet.Numerics.Integration;
using Xunit;

namespace Diagnostics.Spectra.Tests.MeanField;

/// <summary>
/// The Gaussian moments E[phi(sqrt(q) Z)^2] and E[phi'(sqrt(q) Z)^2]: the closed forms (GELU, ELU, SELU) and the
/// Gauss-Hermite path for analytic activations against adaptive Gauss-Kronrod quadrature of the definition.
/// </summary>
public sealed class ActivationMomentsTests
{
    private static double Square(Func<double, double> f, double x)
    {
        double y = f(x);
        return y * y;
    }

    /// <summary>
    /// The reference: E[f(X)], X ~ N(0, q), integrated in x by adaptive 61-point Gauss-Kronrod to 1e-12 on [-10 s, 10 s]
    /// with break points at 0, +-1 and +-40 (where the activations reach their asymptotes), s = sqrt(q).
    /// </summary>
    private static double Reference(Func<double, double> f, double q)
    {
        double s = Math.Sqrt(q);
        Func<double, double> g = x => f(x) * Math.Exp(-0.5 * x * x / q) / (s * Math.Sqrt(2 * Math.PI));
        var points = new List<double> { -10 * s, 0, 10 * s };
        foreach (var b in new[] { 1.0, 40.0 })
        {
            if (b < 10 * s) points.AddRange(new[] { -b, b });
        }

        points.Sort();
        double sum = 0;
        for (int k = 0; k + 1 < points.Count; k++) sum += GaussKronrodRule.Integrate(g, points[k], points[k + 1], out _, out _, 1e-12, 16, 61);
        return sum;
    }

    [Fact]
    public void Tanh_HugeVariance_ChiMatchesItsAsymptotics()
    {
        // E[tanh'(sZ)^2] = E[sech^4(sZ)] = (1 / (s sqrt(2 pi))) int sech^4 (1 + O(1/s^2)) = 4 / (3 s sqrt(2 pi)) (1 + O(1/s^2)).
        double q = 1e8, s = 1e4;
        double asymptotic = 4 / (3 * s * Math.Sqrt(2 * Math.PI));
        double engine = ActivationMoments.DerivativeSecondMoment(Activation.Tanh, q);
        Assert.True(Math.Abs(engine / asymptotic - 1) < 1e-7, $"engine {engine:R}, asymptotic {asymptotic:R}");
    }

    public static TheoryData<string, double> ClosedFormCases()
    {
        var data = new TheoryData<string, double>();
        foreach (var phi in new[] { "gelu", "elu", "selu" })
            foreach (var q in new[] { 1e-6, 1e-3, 0.25, 0.9, 1.0, 1.1, 4.0, 50.0, 1e3 })
                data.Add(phi, q);
        return data;
    }

    [Theory]
    [MemberData(nameof(ClosedFormCases))]
    public void ClosedForms_MatchQuadratureOfTheDefinition(string name, double q)
    {
        var phi = Activation.Parse(name);
        double second = Reference(x => Square(phi.Evaluate, x), q);
        double derivative = Reference(x => Square(phi.Derivative, x), q);
        // The reference is converged to ~1e-12; the closed forms lose at most a few digits to cancellation
        // (ELU's G(2s) - 2 G(s) + 1/2 just above s = 1, where the Taylor series hands over).
        Assert.True(Math.Abs(ActivationMoments.SecondMoment(phi, q) / second - 1) < 1e-11, $"{name} E[phi^2] at q = {q}: {ActivationMoments.SecondMoment(phi, q):R} vs {second:R}");
        Assert.True(Math.Abs(ActivationMoments.DerivativeSecondMoment(phi, q) / derivative - 1) < 1e-11, $"{name} E[phi'^2] at q = {q}: {ActivationMoments.DerivativeSecondMoment(phi, q):R} vs {derivative:R}");
    }

    [Fact]
    public void ScaledErfc_KnownValuesAndContinuityAtTheAsymptoticSwitch()
    {
        // erfcx(1) = e erfc(1); erfcx(x) ~ 1 / (x sqrt pi) (1 - 1/(2x^2) + 3/(4x^4) - ...).
        Assert.Equal(0.42758357615580700, ActivationMoments.ScaledErfc(1), 15);
        Assert.Equal(0.0, ActivationMoments.ScaledErfc(0) - 1, 15);
        double below = ActivationMoments.ScaledErfc(10 * (1 - 1e-15)), above = ActivationMoments.ScaledErfc(10);
        Assert.True(Math.Abs(below / above - 1) < 1e-13, $"erfcx across x = 10: {below:R} vs {above:R}");
        double x = 1e6;
        Assert.Equal(1.0, ActivationMoments.ScaledErfc(x) * x * Math.Sqrt(Math.PI) / (1 - 1 / (2 * x * x)), 15);
    }

    [Theory]
    [InlineData(5.6e5)]
    [InlineData(1e8)]
    [InlineData(1e12)]
    public void Elu_HugeVariance_ChiMatchesItsAsymptotics_AndTheSplitQuadrature(double q)
    {
        // E[ELU'(sZ)^2] = 1/2 + e^{2 s^2} Phi(-2 s) = 1/2 + (1 / (2 s sqrt(2 pi))) (1 - 1/(4 s^2) + 3/(16 s^4) - ...).
        double s = Math.Sqrt(q);
        double asymptotic = 0.5 + 1 / (2 * s * Math.Sqrt(2 * Math.PI)) * (1 - 1 / (4 * q) + 3 / (16 * q * q));
        double closed = ActivationMoments.DerivativeSecondMoment(Activation.Elu, q);
        Assert.True(Math.Abs(closed / asymptotic - 1) < 1e-14, $"closed {closed:R}, asymptotic {asymptotic:R}");
        // The engine's quadrature splits at the kink z = 0: the step of phi'^2 from e^{2 s z} to 1 sits at an end point.
        double split = GaussianExpectation.Of(x => Square(Activation.Elu.Derivative, x), q);
        Assert.True(Math.Abs(split / closed - 1) < 1e-10, $"split quadrature {split:R}, closed {closed:R}");
    }

    public static TheoryData<string, double> AnalyticCases()
    {
        var data = new TheoryData<string, double>();
        foreach (var phi in new[] { "tanh", "sigmoid", "silu", "softplus" })
            foreach (var q in new[] { 1e-8, 1e-3, 0.002, 0.1, 1.0, 3.0, 30.0, 1e3, 1e6 })
                data.Add(phi, q);
        return data;
    }

    [Theory]
    [MemberData(nameof(AnalyticCases))]
    public void GaussHermitePath_MatchesQuadratureOfTheDefinition(string name, double q)
    {
        var phi = Activation.Parse(name);
        double second = Reference(x => Square(phi.Evaluate, x), q);
        double derivative = Reference(x => Square(phi.Derivative, x), q);
        // Target 1e-10 relative (the adaptive rule's own tolerance).
        Assert.True(Math.Abs(ActivationMoments.SecondMoment(phi, q) / second - 1) < 1e-10, $"{name} E[phi^2] at q = {q}: {ActivationMoments.SecondMoment(phi, q):R} vs {second:R}");
        Assert.True(Math.Abs(ActivationMoments.DerivativeSecondMoment(phi, q) / derivative - 1) < 1e-10, $"{name} E[phi'^2] at q = {q}: {ActivationMoments.DerivativeSecondMoment(phi, q):R} vs {derivative:R}");
    }
}
