using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// <see cref="SquaredSingularValueLaw.DiscretisationBumps"/>: a smooth last layer behind a strong bottleneck makes J J^T
/// close to a multiple of that layer's D^2, whose K-atom discretisation then shows as separated bumps; the law says so
/// instead of returning the bumps silently as the density.
/// </summary>
public sealed class DiscretisationBumpTests
{
    private static readonly SpectrumOptions Options = new SpectrumOptions { GridPoints = 200 };

    [Fact]
    public void SmoothLayerBehindABottleneck_IsFlagged()
    {
        var network = NetworkArchitecture.Uniform(new[] { 400, 400, 50, 10 }, Activation.Softplus, 1, 0, WeightDistribution.Orthogonal, Activation.Softplus);
        var law = JacobianSpectrum.Compute(network, Options);
        Assert.True(law.DiscretisationBumps >= 3, $"{law.DiscretisationBumps} bumps");
        // The bumps are the discretisation's: a density that drops by more than 1e3 between neighbouring maxima.
        var d = law.Density;
        double peak = d.Max();
        Assert.Contains(Enumerable.Range(1, d.Count - 2), k => d[k] < 1e-3 * peak && d[k - 1] > d[k] && d[k + 1] >= d[k]);
    }

    [Fact]
    public void SmoothNetworkWithoutBottleneck_IsNotFlagged()
    {
        var network = NetworkArchitecture.Uniform(new[] { 400, 400, 400, 400 }, Activation.Tanh, 1.5, 0.05, WeightDistribution.Gaussian, Activation.Identity);
        Assert.Equal(0, JacobianSpectrum.Compute(network, Options).DiscretisationBumps);
    }

    [Fact]
    public void ExactLawWithAGap_IsNotFlagged()
    {
        // One Gaussian leaky-ReLU layer 156 -> 35 (slope 0.44, sigma_w^2 0.21) has a real gap: exact D^2 law, no flag.
        var network = NetworkArchitecture.Uniform(new[] { 156, 35 }, Activation.Parse("leaky_relu", 0.44), 0.21, 0, WeightDistribution.Gaussian, Activation.Parse("leaky_relu", 0.44));
        Assert.Equal(0, JacobianSpectrum.Compute(network, Options).DiscretisationBumps);
    }
}
