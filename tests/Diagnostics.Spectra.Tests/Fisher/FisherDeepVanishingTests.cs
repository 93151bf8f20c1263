using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Xunit;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// Deep ReLU networks on TorchSharp's default init (sigma_w^2 = 1/3, sigma_b^2 = 1/(3 fan_in)): the gains vanish and the
/// whole real branch of the Fisher recursion sits at tiny m_1. The edge scan used to start at m_1 = 1e-8 and threw.
/// </summary>
public sealed class FisherDeepVanishingTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(20)]
    public void DefaultInitDeepRelu_LambdaMaxFound_DensityMeanMatchesExactMean(int depth)
    {
        var widths = Enumerable.Repeat(256, depth + 1).ToArray();
        var network = NetworkArchitecture.Uniform(widths, Activation.Relu, 1.0 / 3, 1.0 / (3 * 256), lastActivation: Activation.Identity);
        double lambdaMax = FisherSpectrum.LargestEigenvalue(network);
        var law = FisherSpectrum.Compute(network);
        // Two code paths (the fast edge scan and the full law) agree, the mean is the exact eq. 32 recursion, the
        // density integrates to mass 1 and to that mean, and lambda_max lies above the mean.
        Assert.Equal(lambdaMax, law.LambdaMax, 9);
        Assert.Equal(FisherSpectrum.Mean(network), law.Mean, 12);
        Assert.InRange(law.TotalMass, 1 - 1e-3, 1 + 1e-3);
        Assert.InRange(law.DensityMean / law.Mean, 1 - 1e-3, 1 + 1e-3);
        Assert.True(lambdaMax > law.Mean, $"lambda_max {lambdaMax:g4} should exceed the mean {law.Mean:g4}");
    }
}
