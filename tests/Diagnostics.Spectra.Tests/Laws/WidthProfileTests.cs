using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>Networks given by relative widths (<see cref="NetworkArchitecture.FromWidthProfile"/>): only the ratios matter.</summary>
public sealed class WidthProfileTests
{
    private static Layer[] Layers(int depth, Activation phi, double sigma2, double bias = 0, WeightDistribution w = WeightDistribution.Gaussian) =>
        Enumerable.Range(0, depth).Select(_ => new Layer(phi, sigma2, bias, w)).ToArray();

    /// <summary>Widths 256 * 1.25^l are integers for l &lt;= 4: the profile 1.25^l is the same network, up to a factor.</summary>
    [Theory]
    [InlineData("identity", "gaussian")]
    [InlineData("relu", "gaussian")]
    [InlineData("tanh", "orthogonal")]
    public void ProfileOfIntegerWidths_GivesTheSameLaw(string activation, string init)
    {
        var weights = init == "orthogonal" ? WeightDistribution.Orthogonal : WeightDistribution.Gaussian;
        var widths = new[] { 256, 320, 400, 500, 625 };
        var layers = Layers(4, Activation.Parse(activation), 1.3, 0.05, weights);
        var options = new SpectrumOptions { GridPoints = 120, SmoothActivationAtoms = 16 };
        var exact = JacobianSpectrum.Compute(new NetworkArchitecture(widths, layers), options);
        var profile = JacobianSpectrum.Compute(
            NetworkArchitecture.FromWidthProfile(Enumerable.Range(0, 5).Select(l => Math.Pow(1.25, l) * 1e-3).ToArray(), layers), options);

        Assert.Equal(exact.AtomAtZero, profile.AtomAtZero, 12);
        Assert.Equal(exact.Mean, profile.Mean, 12);
        Assert.Equal(exact.SupportUpper, profile.SupportUpper, 9);
        Assert.Equal(exact.Grid.Count, profile.Grid.Count);
        for (int k = 0; k < exact.Grid.Count; k++)
            Assert.True(Math.Abs(exact.Density[k] - profile.Density[k]) <= 1e-9 * Math.Max(1, exact.Density[k]), $"x = {exact.Grid[k]}");
        Assert.Equal(exact.AtomAtZeroOutput, profile.AtomAtZeroOutput, 12);
    }

    /// <summary>
    /// The FreeNN benchmark case at L = 200 (widths x1.25, 0.8 / fan_in, identity), whose integer widths overflow:
    /// mass 1, mean prod kappa_l = (0.8 * 1.25)^L = 1, and the second moment of a product of free rectangular Gaussian
    /// factors, m_2 / m_1^2 = 1 + sum_l N_0 / N_l (normalised variances add under free multiplication).
    /// </summary>
    [Fact]
    public void FreeNnCaseAtDepth200_IdentitiesHold()
    {
        const int depth = 200;
        var profile = Enumerable.Range(0, depth + 1).Select(l => Math.Pow(1.25, l)).ToArray();
        var network = NetworkArchitecture.FromWidthProfile(profile, Layers(depth, Activation.Identity, 0.8));
        var law = JacobianSpectrum.Compute(network, new SpectrumOptions { GridPoints = 1000, MomentOrder = 2 });

        double variance = 0;
        for (int l = 1; l <= depth; l++) variance += 1 / profile[l];
        Assert.Equal(1.0, law.Mean, 12);
        Assert.Equal(1 + variance, law.Moments[1], 9);
        Assert.Equal(0.0, law.AtomAtZero, 12);
        Assert.Equal(1.0, law.TotalMass, 4);
        Assert.Equal(1.0, law.DensityMean, 3);
        Assert.False(network.HasIntegerWidths);
        Assert.Throws<InvalidArchitectureException>(() => network.Widths);
    }

    /// <summary>The same identity for rectangular profiles of integer widths (ratios 0.1-10), as a check of the formula itself.</summary>
    [Theory]
    [InlineData(new[] { 300, 900, 90, 450 })]
    [InlineData(new[] { 1000, 100, 1000, 2000, 500, 5000 })]
    public void RectangularLinearNetwork_SecondMomentIsOnePlusSumOfRatios(int[] widths)
    {
        var law = JacobianSpectrum.Compute(NetworkArchitecture.Uniform(widths, Activation.Identity, 1.0), new SpectrumOptions { MomentOrder = 2 });
        double mean = (double)widths[^1] / widths[0];
        double variance = widths.Skip(1).Sum(n => (double)widths[0] / n);
        Assert.Equal(mean, law.Mean, 12);
        Assert.Equal(mean * mean * (1 + variance), law.Moments[1], 9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonPositiveRelativeWidth_IsRejected(double bad)
    {
        var ex = Assert.Throws<InvalidArchitectureException>(() =>
            NetworkArchitecture.FromWidthProfile(new[] { 1.0, bad, 2.0 }, Layers(2, Activation.Relu, 2)));
        Assert.Contains("relative width 1", ex.Message);
    }
}
