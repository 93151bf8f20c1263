using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>The engine against laws known in closed form.</summary>
public sealed class ClosedFormTests
{
    private static NetworkArchitecture Linear(int[] widths, double sigma2 = 1, WeightDistribution w = WeightDistribution.Gaussian) =>
        NetworkArchitecture.Uniform(widths, Activation.Identity, sigma2, weights: w);

    /// <summary>Marchenko-Pastur density of W^T W for W of size n1 x n0 with variance sigma2/n0 (non-zero part).</summary>
    private static double MarchenkoPastur(double x, double n0, double n1, double sigma2)
    {
        // W^T W = sigma2 (n1/n0) * (1/n1) Z^T Z with Z n1 x n0: MP with ratio c = n0/n1, scale s = sigma2 n1/n0.
        double c = n0 / n1;
        double s = sigma2 * n1 / n0;
        double lo = s * Math.Pow(1 - Math.Sqrt(c), 2), hi = s * Math.Pow(1 + Math.Sqrt(c), 2);
        if (x <= lo || x >= hi) return 0;
        return Math.Sqrt((hi - x) * (x - lo)) / (2 * Math.PI * s * c * x);
    }

    [Theory]
    [InlineData(1000, 1000, 1.0)]
    [InlineData(1000, 3000, 2.0)]
    [InlineData(1000, 400, 0.7)]
    [InlineData(200, 2000, 1.3)]
    public void OneLinearLayer_IsMarchenkoPastur(int n0, int n1, double sigma2)
    {
        var law = JacobianSpectrum.Compute(Linear(new[] { n0, n1 }, sigma2), new SpectrumOptions { GridPoints = 300 });
        double c = (double)n0 / n1, s = sigma2 * n1 / n0;
        Assert.Equal(Math.Max(0, 1 - (double)n1 / n0), law.AtomAtZero, 12);
        Assert.Equal(s * Math.Pow(1 + Math.Sqrt(c), 2), law.SupportUpper, 9);
        Assert.Equal(s * Math.Pow(1 - Math.Sqrt(c), 2), law.SupportLower, 9);
        Assert.Equal(sigma2 * n1 / n0, law.Mean, 12);
        // Away from the edges, the density at y = 1e-7 x matches the closed form to 1e-5 relative.
        for (int k = 0; k < law.Grid.Count; k++)
        {
            double x = law.Grid[k];
            double expected = MarchenkoPastur(x, n0, n1, sigma2);
            if (Math.Min(x - law.SupportLower, law.SupportUpper - x) < 1e-3 * law.SupportUpper) continue;
            Assert.True(Math.Abs(law.Density[k] - expected) <= 1e-5 * expected + 1e-9, $"x={x}: {law.Density[k]} vs {expected}");
        }

        Assert.Equal(1.0, law.TotalMass, 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(10)]
    public void ProductOfSquareGaussianLayers_HasFussCatalanMoments(int depth)
    {
        var widths = Enumerable.Repeat(500, depth + 1).ToArray();
        var law = JacobianSpectrum.Compute(Linear(widths), new SpectrumOptions { MomentOrder = 6 });
        for (int k = 1; k <= 6; k++)
        {
            double fussCatalan = Binomial((depth + 1) * k, k) / (depth * k + 1);
            Assert.Equal(1.0, law.Moments[k - 1] / fussCatalan, 10);
        }

        Assert.Equal(0.0, law.SupportLower);
        // Upper edge of Fuss-Catalan: (L+1)^(L+1) / L^L.
        Assert.Equal(Math.Pow(depth + 1, depth + 1) / Math.Pow(depth, depth), law.SupportUpper, 6);
    }

    [Fact]
    public void OrthogonalLinearNetwork_IsPointMassAtProductOfGains()
    {
        var law = JacobianSpectrum.Compute(Linear(new[] { 300, 300, 300, 300 }, 1.5, WeightDistribution.Orthogonal));
        Assert.True(law.IsPointMass);
        Assert.Equal(Math.Pow(1.5, 3), law.SupportUpper, 6);
        Assert.Equal(Math.Pow(1.5, 3), law.Quantile(0.5), 6);
    }

    [Theory]
    [InlineData(5, 1.0)]
    [InlineData(5, 2.0)]
    [InlineData(3, 3.0)]
    public void SquareRelu_MeanIsProductOfChi_AndMassIsOne(int depth, double sigma2)
    {
        var widths = Enumerable.Repeat(1000, depth + 1).ToArray();
        var law = JacobianSpectrum.Compute(NetworkArchitecture.Uniform(widths, Activation.Relu, sigma2));
        Assert.Equal(Math.Pow(sigma2 / 2, depth), law.Mean, 12);
        Assert.Equal(0.5, law.AtomAtZero, 12);
        Assert.Equal(1.0, law.TotalMass, 3);
        Assert.Equal(1.0, law.DensityMean / law.Mean, 3);
    }

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }
}
