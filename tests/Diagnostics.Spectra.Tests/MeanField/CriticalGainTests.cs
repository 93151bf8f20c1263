using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using Xunit;

namespace Diagnostics.Spectra.Tests.MeanField;

public sealed class CriticalGainTests
{
    [Fact]
    public void Relu_IsTwo_LeakyIsTwoOverOnePlusSlopeSquared_IdentityIsOne()
    {
        Assert.Equal(2.0, CriticalGain.AtFixedPoint(Activation.Relu), 12);
        Assert.Equal(2 / (1 + 0.3 * 0.3), CriticalGain.AtFixedPoint(Activation.LeakyRelu(0.3)), 12);
        Assert.Equal(1.0, CriticalGain.AtFixedPoint(Activation.Identity), 12);
    }

    [Fact]
    public void TanhWithoutBias_IsOne()
    {
        // q* -> 0: the line ends at sigma_w^2 = 1 / phi'(0)^2; the bisection, slowed by q ~ 1/t, gave 1.0015.
        Assert.Equal(1.0, CriticalGain.AtFixedPoint(Activation.Tanh), 12);
    }

    [Fact]
    public void EluAndSeluWithoutBias_AreOneOverTheMeanSquaredSlopeAtZero()
    {
        const double lambda = 1.0507009873554805, alpha = 1.6732632423543772;
        Assert.Equal(1.0, CriticalGain.AtFixedPoint(Activation.Elu), 12);
        Assert.Equal(2 / (lambda * lambda * (1 + alpha * alpha)), CriticalGain.AtFixedPoint(Activation.Selu), 12);
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("elu")]
    [InlineData("selu")]
    public void WithoutBias_IsTheLimitOfTheCriticalLineAsTheBiasVanishes(string name)
    {
        // The line's own root (OnCriticalLine) at sigma_b^2 -> 0 approaches the value at sigma_b^2 = 0 from above, and
        // chi just either side of it is below / above 1 (the definition, by iterating the q map).
        var phi = Activation.Parse(name);
        double atZero = CriticalGain.AtFixedPoint(phi, 0);
        double small = CriticalGain.AtFixedPoint(phi, 1e-7), smaller = CriticalGain.AtFixedPoint(phi, 1e-9);
        Assert.True(small > smaller && smaller > atZero, $"{small} {smaller} {atZero}");
        Assert.True(smaller - atZero < 0.5 * (small - atZero), $"{small} {smaller} {atZero}");
        Assert.True(CriticalGain.ChiAtFixedPoint(phi, atZero * 0.98, 0) < 1);
        Assert.True(CriticalGain.ChiAtFixedPoint(phi, atZero * 1.02, 0) > 1);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    public void TanhWithBias_ChiAtFixedPointIsOne_AndAboveOne(double bias)
    {
        double critical = CriticalGain.AtFixedPoint(Activation.Tanh, bias);
        Assert.True(critical > 1, $"critical {critical}");
        Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(Activation.Tanh, critical, bias), 6);
        Assert.True(CriticalGain.ChiAtFixedPoint(Activation.Tanh, critical * 1.2, bias) > 1);
        Assert.True(CriticalGain.ChiAtFixedPoint(Activation.Tanh, critical / 1.2, bias) < 1);
    }

    [Fact]
    public void ForNetwork_MakesProductOfChiOne()
    {
        var net = NetworkArchitecture.Uniform(new[] { 100, 200, 200, 200, 10 }, Activation.Gelu, 1.0, 0.01, lastActivation: Activation.Identity);
        double s = CriticalGain.ForNetwork(net);
        var chi = SignalPropagation.Compute(CriticalGain.WithWeightVariance(net, s)).Chi;
        Assert.Equal(0.0, chi.Sum(Math.Log), 8);
    }

    [Fact]
    public void NegativeBiasVariance_ThrowsTypedException() =>
        Assert.Throws<InvalidArchitectureException>(() => CriticalGain.AtFixedPoint(Activation.Tanh, -1));
}

/// <summary>
/// The critical line solved in q* (<see cref="CriticalGain.OnCriticalLine"/>) against the definition chi(q*) = 1 at the
/// fixed point the q map reaches from q = 1, and against the bisection in sigma_w^2 that iterates the map.
/// </summary>
public sealed class CriticalLineTests
{
    public static TheoryData<string, double> SmoothCases()
    {
        // Cases where chi(q*) crosses 1 continuously along sigma_w^2. GELU at small bias, SiLU and softplus have no such
        // crossing: see SmallBiasGelu_HasNoRootOnTheLine_AndKeepsTheBisectionAnswer.
        var data = new TheoryData<string, double>();
        foreach (var phi in new[] { "tanh", "sigmoid" })
            foreach (var bias in new[] { 1.0 / 768, 0.05, 0.3 })
                data.Add(phi, bias);
        data.Add("gelu", 0.3);
        return data;
    }

    [Theory]
    [MemberData(nameof(SmoothCases))]
    public void CriticalLineRoot_HasChiOneAtTheFixedPointReachedFromOne(string name, double bias)
    {
        var phi = Activation.Parse(name);
        double? critical = CriticalGain.OnCriticalLine(phi, bias);
        Assert.True(critical.HasValue, $"{name}, bias {bias}: no accepted root on the critical line");
        double s = critical!.Value;
        // ChiAtFixedPoint iterates the q map from q = 1 to 1e-12 relative (linear convergence at rate sigma_w^2 S'(q*) < 1
        // here); quadratures are at 1e-10 relative, so chi = 1 holds to far better than 1e-6.
        Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(phi, s, bias), 6);
        Assert.True(CriticalGain.ChiAtFixedPoint(phi, s * 1.05, bias) > 1, "chi above the critical value");
        Assert.True(CriticalGain.ChiAtFixedPoint(phi, s / 1.05, bias) < 1, "chi below the critical value");
        Assert.Equal(s, CriticalGain.AtFixedPoint(phi, bias), 12);
    }

    [Theory]
    [InlineData("tanh", 0.05)]
    [InlineData("sigmoid", 1.0 / 768)]
    public void CriticalLineRoot_AgreesWithBisectionInWeightVariance(string name, double bias)
    {
        var phi = Activation.Parse(name);
        double line = CriticalGain.OnCriticalLine(phi, bias)!.Value;
        double bisection = CriticalGain.ByBisection(phi, bias);
        // The bisection stops at 1e-13 in log sigma_w^2 but each step's fixed point is iterated only to 1e-12 relative.
        Assert.True(Math.Abs(line / bisection - 1) < 1e-8, $"line {line}, bisection {bisection}");
    }

    [Theory]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void SmallBias_EscapeFromOne_IsTheBisectionAnswer(string name)
    {
        var phi = Activation.Parse(name);
        double bias = 1.0 / 768;
        double? escape = CriticalGain.AtEscapeFromOne(phi, bias);
        Assert.True(escape.HasValue, $"{name}: chi does not jump across 1 where q = 1 is a fixed point");
        double bisection = CriticalGain.ByBisection(phi, bias);
        // The bisection brackets the jump to 1e-13 in log sigma_w^2; the map leaves q = 1 geometrically on either side.
        Assert.True(Math.Abs(escape!.Value / bisection - 1) < 1e-6, $"escape {escape}, bisection {bisection}");
        Assert.Equal(escape.Value, CriticalGain.AtFixedPoint(phi, bias), 12);
    }

    [Theory]
    [InlineData("elu", 1.0 / 768)]
    [InlineData("elu", 0.05)]
    [InlineData("selu", 1.0 / 768)]
    public void KinkedActivations_TakeTheCriticalLine_AndAgreeWithBisection(string name, double bias)
    {
        // ELU and SELU: chi(q) -> 1+ as q -> infinity (E[phi'^2] = 1/2 + G(2 s) with G(2 s) ~ 1 / (2 s sqrt(2 pi))). The
        // quadrature used to miss G(2 s), a boundary layer at z = 0, above q ~ 1e5: a second, spurious root of the critical
        // line near q ~ 5.6e5 made the scan decline and the 64-130 ms bisection run. Exact moments leave one root.
        var phi = Activation.Parse(name);
        double? line = CriticalGain.OnCriticalLine(phi, bias);
        Assert.True(line.HasValue, $"{name}, bias {bias}: the critical line declined");
        Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(phi, line!.Value, bias), 6);
        double bisection = CriticalGain.ByBisection(phi, bias);
        Assert.True(Math.Abs(line.Value / bisection - 1) < 1e-8, $"line {line}, bisection {bisection}");
    }

    /// <summary>
    /// The bracketed fixed point (scan from q = 1 and bisection) against the iterated q map, on both sides of q = 1, to
    /// an unbounded q, and next to a fixed point at q = 1 (where the iteration crawls away from it).
    /// </summary>
    [Theory]
    [InlineData("tanh", 1.5, 0.05)]
    [InlineData("tanh", 0.5, 0.3)]
    [InlineData("gelu", 2.0, 1.0 / 768)]
    [InlineData("gelu", 3.0, 1.0 / 768)]
    [InlineData("silu", 2.5, 0.01)]
    [InlineData("sigmoid", 4.0, 0.0)]
    [InlineData("softplus", 1.5, 0.1)]
    [InlineData("elu", 1.2, 0.05)]
    [InlineData("selu", 0.8, 1.0 / 768)]
    public void ChiReachedFromOne_IsTheIteratedMapsChi(string name, double weightVariance, double bias)
    {
        var phi = Activation.Parse(name);
        double iterated = CriticalGain.ChiAtFixedPoint(phi, weightVariance, bias);
        double bracketed = CriticalGain.ChiReachedFromOne(phi, weightVariance, bias);
        Assert.True(Math.Abs(bracketed / iterated - 1) < 1e-9, $"bracketed {bracketed:R}, iterated {iterated:R}");
    }

    [Theory]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void ChiReachedFromOne_NextToTheFixedPointAtOne_IsTheIteratedMapsChi(string name)
    {
        var phi = Activation.Parse(name);
        double bias = 1.0 / 768;
        double s = (1 - bias) / ActivationMoments.SecondMoment(phi, 1);
        foreach (double side in new[] { 1 - 1e-9, 1 + 1e-9, 1 - 1e-3, 1 + 1e-3 })
        {
            double iterated = CriticalGain.ChiAtFixedPoint(phi, s * side, bias);
            double bracketed = CriticalGain.ChiReachedFromOne(phi, s * side, bias);
            Assert.True(Math.Abs(bracketed / iterated - 1) < 1e-9, $"side {side}: bracketed {bracketed:R}, iterated {iterated:R}");
        }
    }

    [Fact]
    public void Tanh_HasNoEscapeFromOne()
    {
        // tanh with sigma_b^2 = 0.05: chi crosses 1 continuously (the line method's case), not by a jump at q = 1.
        Assert.Null(CriticalGain.AtEscapeFromOne(Activation.Tanh, 0.05));
    }

    [Fact]
    public void SmallBiasGelu_HasNoRootOnTheLine_AndKeepsTheBisectionAnswer()
    {
        // GELU, sigma_b^2 = 1/768: chi(q*) = 1 only at q* ~ 0.06 with sigma_w^2 ~ 3.5, a fixed point the map does not reach
        // from q = 1 (it escapes to infinity there). Along sigma_w^2 the chi of the fixed point reached from q = 1 jumps
        // from below 1 to 1.07 where q = 1 itself is a fixed point (sigma_w^2 = (1 - sigma_b^2) / E[GELU(Z)^2]); the
        // bisection returns that jump, and the line method declines (AtEscapeFromOne finds it directly).
        var phi = Activation.Gelu;
        double bias = 1.0 / 768;
        Assert.Null(CriticalGain.OnCriticalLine(phi, bias));
        double bisection = CriticalGain.ByBisection(phi, bias);
        Assert.Equal((1 - bias) / ActivationMoments.SecondMoment(phi, 1), bisection, 6);
        Assert.True(CriticalGain.ChiAtFixedPoint(phi, bisection, bias) > 1.05);
    }

    [Fact]
    public void TanhWithoutBias_HasNoRootOnTheLine_AndFallsBack()
    {
        // sigma_b^2 = 0: the critical fixed point is q* = 0, outside the scanned q > 0 (the bisection handles it).
        Assert.Null(CriticalGain.OnCriticalLine(Activation.Tanh, 0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Softplus_IsCriticalAtTheReluLimit(double bias)
    {
        // chi(q*) stays below sigma_w^2 / 2 below sigma_w^2 = 2 and tends to sigma_w^2 / 2 above it (q* grows without
        // bound): the crossing is at 2, approached as q -> infinity (the bisection stops at the iteration cap near 2.003).
        Assert.Equal(2.0, CriticalGain.AtFixedPoint(Activation.Softplus, bias));
        Assert.True(CriticalGain.ChiAtFixedPoint(Activation.Softplus, 1.9, bias) < 1);
        Assert.True(CriticalGain.ChiAtFixedPoint(Activation.Softplus, 2.1, bias) > 1);
        Assert.True(CriticalGain.FixedPoint(Activation.Softplus, 2.1, bias) > 1e50); // grows ~ (2.1 / 2)^t: no finite fixed point
    }
}
