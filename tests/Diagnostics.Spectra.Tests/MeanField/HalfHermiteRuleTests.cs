using Diagnostics.Spectra.MeanField;
using MathNet.Numerics;
using Xunit;

namespace Diagnostics.Spectra.Tests.MeanField;

/// <summary>The Gauss rules of the half-normal weight (ELU and SELU's continuous half of D^2) and of the normal weight truncated at a point (GELU and SiLU split at the zero of phi').</summary>
public sealed class HalfHermiteRuleTests
{
    /// <summary>E[Z^k; Z &gt; 0] = 2^{k/2} Gamma((k + 1)/2) / (2 sqrt pi), exact for k &lt; 2n; nodes positive and ascending.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(24)]
    [InlineData(200)]
    public void IntegratesMonomialsExactly(int points)
    {
        var rule = GaussianExpectation.HalfHermite(points);
        Assert.Equal(points, rule.Nodes.Length);
        Assert.True(rule.Nodes[0] > 0);
        for (int j = 1; j < points; j++) Assert.True(rule.Nodes[j] > rule.Nodes[j - 1]);
        Assert.Equal(0.5, rule.Weights.Sum(), 14);
        for (int k = 0; k < Math.Min(2 * points, 30); k++)
        {
            double exact = Math.Pow(2, k / 2.0) * SpecialFunctions.Gamma((k + 1) / 2.0) / (2 * Math.Sqrt(Math.PI));
            double sum = 0;
            for (int j = 0; j < points; j++) sum += rule.Weights[j] * Math.Pow(rule.Nodes[j], k);
            Assert.True(Math.Abs(sum / exact - 1) < 1e-11, $"n = {points}, k = {k}: {sum:R} against {exact:R}");
        }
    }

    /// <summary>
    /// E[e^{-t Z}; Z &gt; 0] = e^{t^2/2} Phi(-t) (the mean of ELU's D^2 on h &lt; 0 at t = 2 sqrt q): the rule converges to it
    /// geometrically, the kink being at the end of the weight's support, not inside it (Gauss-Hermite across the kink
    /// converges algebraically).
    /// </summary>
    [Theory]
    [InlineData(2.0, 12, 1e-8)]
    [InlineData(18.0, 24, 1e-3)]
    [InlineData(18.0, 48, 1e-6)]
    public void ExponentialMomentsConverge(double t, int points, double tolerance)
    {
        var rule = GaussianExpectation.HalfHermite(points);
        double exact = ActivationMoments.LowerExponentialMoment(t);
        double sum = 0;
        for (int j = 0; j < points; j++) sum += rule.Weights[j] * Math.Exp(-t * rule.Nodes[j]);
        Assert.True(Math.Abs(sum / exact - 1) < tolerance, $"t = {t}, n = {points}: relative error {Math.Abs(sum / exact - 1):g3}");
    }

    /// <summary>
    /// E[Z^k; Z &gt; a] by M_k = a^(k-1) phi(a) + (k - 1) M_(k-2), M_0 = 1 - Phi(a), M_1 = phi(a): exact for k &lt; 2n (to 1e-10
    /// of E[|Z|^k; Z &gt; a]).
    /// </summary>
    [Theory]
    [InlineData(-0.75, 4)]
    [InlineData(-0.75, 44)]
    [InlineData(-0.75, 64)]
    [InlineData(2.5, 64)]
    [InlineData(-6.5, 12)]
    [InlineData(0.4, 384)]
    [InlineData(-1.28, 400)]
    public void TruncatedRule_IntegratesMonomialsExactly(double a, int points)
    {
        var rule = GaussianExpectation.TruncatedHermite(a, points);
        Assert.True(rule.Nodes[0] > a);
        double pdf = Math.Exp(-0.5 * a * a) / Math.Sqrt(2 * Math.PI);
        var m = new double[Math.Min(2 * points, 24)];
        m[0] = 0.5 * SpecialFunctions.Erfc(a / Math.Sqrt(2));
        if (m.Length > 1) m[1] = pdf;
        for (int k = 2; k < m.Length; k++) m[k] = Math.Pow(a, k - 1) * pdf + (k - 1) * m[k - 2];
        for (int k = 0; k < m.Length; k++)
        {
            double sum = 0, scale = 0;
            for (int j = 0; j < points; j++)
            {
                sum += rule.Weights[j] * Math.Pow(rule.Nodes[j], k);
                scale += rule.Weights[j] * Math.Abs(Math.Pow(rule.Nodes[j], k));
            }

            // Relative to E[|Z|^k; Z > a]: odd moments at a = -6.5 are a cancellation down to phi(a) = 2.7e-10.
            Assert.True(Math.Abs(sum - m[k]) < 1e-10 * scale, $"a = {a}, n = {points}, k = {k}: {sum:R} against {m[k]:R}");
        }
    }
}
