using Diagnostics.Analyzers.Analysis;
using Diagnostics.Spectra.Architecture;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Analysis;

/// <summary>Which activation and bias variance the FPT001/FPT002 advice is computed for.</summary>
public sealed class DominantActivationTests
{
    private static NetworkArchitecture Network(params Layer[] layers) =>
        new NetworkArchitecture(Enumerable.Repeat(16, layers.Length + 1).ToArray(), layers);

    [Fact]
    public void MostCommonBiasVarianceOfTheDominantActivation_NotTheFirstLayers()
    {
        // A leading ReLU layer with its own bias variance, then tanh layers with 0.3, 0.1, 0.2, 0.2, 0.1 and a readout:
        // tanh dominates; 0.1 and 0.2 have two layers each and 0.1 comes first; the first tanh layer's 0.3 is the odd one.
        var dominant = DominantActivation.Of(Network(
            new Layer(Activation.Relu, 2, 0.5),
            new Layer(Activation.Tanh, 1, 0.3), new Layer(Activation.Tanh, 1, 0.1), new Layer(Activation.Tanh, 1, 0.2),
            new Layer(Activation.Tanh, 1, 0.2), new Layer(Activation.Tanh, 1, 0.1),
            new Layer(Activation.Identity, 1, 0.7)));
        Assert.Equal(Activation.Tanh, dominant.Activation);
        Assert.Equal(0.1, dominant.BiasVariance);
        Assert.Equal(5, dominant.Layers);
        Assert.Equal(2, dominant.LayersWithBiasVariance);
        Assert.Equal("tanh with bias variance 0.1 (2 of the 5 hidden tanh layers)", dominant.Text());
    }
}
