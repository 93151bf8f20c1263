using Diagnostics.Spectra.MeanField;
using MathNet.Numerics;
using Xunit;

namespace Diagnostics.Spectra.Tests.MeanField;

/// <summary>The Gauss rule of the half-normal weight (ELU and SELU's continuous half of D^2).</summary>
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
}
