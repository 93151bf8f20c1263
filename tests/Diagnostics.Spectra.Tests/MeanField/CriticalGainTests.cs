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
        // q* -> 0 with critical slowing down (q ~ 1/t), so the fixed point after 5000 iterations carries an O(1e-3) bias.
        Assert.Equal(1.0, CriticalGain.AtFixedPoint(Activation.Tanh), 2);
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
