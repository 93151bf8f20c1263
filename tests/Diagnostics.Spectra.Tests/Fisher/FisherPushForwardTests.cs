using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using MathNet.Numerics.Distributions;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// One smooth hidden layer with an orthogonal output layer that does not narrow: H_2 = c1 + b D_1^2 on N_1 of the N_2
/// directions and c1 on the others (c1 = (N_1/N_2) qhat_1, b = (N_0/N_2) sigma_2^2 q_0). These networks were refused
/// (InvalidArchitectureException: the K-atom chain would have given K atoms); the law is now the exact push-forward.
/// </summary>
public class FisherPushForwardTests(ITestOutputHelper output)
{
    /// <summary>E[f(sqrt(q) Z)] by the trapezoid rule on [-14, 14] (independent of the engine's Gaussian moments).</summary>
    private static double GaussianMean(Func<double, double> f, double q)
    {
        const int n = 28_000;
        double h = 28.0 / n, sum = 0;
        for (int k = 0; k <= n; k++)
        {
            double z = -14 + k * h;
            double w = k == 0 || k == n ? 0.5 : 1;
            sum += w * f(Math.Sqrt(q) * z) * Math.Exp(-0.5 * z * z);
        }

        return sum * h / Math.Sqrt(2 * Math.PI);
    }

    /// <summary>
    /// tanh: d^2 = sech^4(h) &lt;= s iff |h| &gt;= arccosh(s^(-1/4)), so P(H_2 &lt;= x) = (1 - p) + p 2 (1 - Phi(arccosh(((x - c1)/b)^(-1/4)) / sqrt q_1))
    /// for c1 &lt;= x &lt;= c1 + b (p = N_1/N_2), and lambda_max = c1 + b.
    /// </summary>
    [Theory]
    [InlineData(300, 300, 300, 1.5, 0.0)]
    [InlineData(500, 200, 400, 1.2, 0.05)]
    public void OneTanhLayer_IsTheAffinePushForwardOfSech4(int n0, int n1, int n2, double sigma2, double bias)
    {
        var net = NetworkArchitecture.Uniform(new[] { n0, n1, n2 }, Activation.Tanh, sigma2, bias, WeightDistribution.Orthogonal, Activation.Identity);
        var law = FisherSpectrum.Compute(net);
        double q1 = sigma2 * net.InputVariance + bias;
        double qHat = GaussianMean(h => Math.Tanh(h) * Math.Tanh(h), q1);
        double p = (double)n1 / n2, c1 = p * qHat, b = (double)n0 / n2 * sigma2 * net.InputVariance;
        double Exact(double x) => (1 - p) + p * 2 * (1 - Normal.CDF(0, 1, Math.Log(Math.Pow((x - c1) / b, -0.25) + Math.Sqrt(Math.Pow((x - c1) / b, -0.5) - 1)) / Math.Sqrt(q1)));

        output.WriteLine($"lambda_max {law.LambdaMax:R} vs c1 + b = {c1 + b:R}; mass {law.TotalMass:R}; density mean / exact {law.DensityMean / law.Mean:R}");
        Assert.Equal(c1 + b, law.LambdaMax, 1e-10 * (c1 + b));
        Assert.Equal(law.LambdaMax, FisherSpectrum.LargestEigenvalue(net), 1e-14 * law.LambdaMax);
        Assert.True(law.DensityCertified);
        Assert.Equal(1, law.TotalMass, 1e-12);
        // The mean: eq. 32 (exact) against the cells' masses at their grid points (measured 2.7e-6 and 4.0e-6).
        Assert.Equal(1, law.DensityMean / law.Mean, 2e-5);
        if (n2 > n1)
        {
            var bottom = Assert.Single(law.Atoms);
            Assert.Equal(c1, bottom.Position, 1e-9 * c1);
            // Units with d^2 below 1e-10 of its mean are inactive and sit at c1 too: |h| > arccosh(t^(-1/4)).
            double t = 1e-10 * GaussianMean(h => Math.Pow(Math.Cosh(h), -4), q1);
            double dead = 2 * (1 - Normal.CDF(0, 1, Math.Log(Math.Pow(t, -0.25) + Math.Sqrt(Math.Pow(t, -0.5) - 1)) / Math.Sqrt(q1)));
            output.WriteLine($"atom at c1: {bottom.Mass:R}, 1 - p (1 - dead) = {1 - p * (1 - dead):R} (dead {dead:g3})");
            Assert.Equal(1 - p * (1 - dead), bottom.Mass, 1e-12);
        }

        double worst = 0;
        foreach (double level in new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            if (level <= 1 - p) continue; // inside the atom at c1
            double x = law.Quantile(level);
            worst = Math.Max(worst, Math.Abs(Exact(x) - level));
        }

        // The law's quantiles interpolate its CDF linearly inside the 400 cells (exact at the cell edges): measured 7.4e-5
        // and 1.5e-5.
        output.WriteLine($"worst decile level error {worst:g3}");
        Assert.True(worst < 1e-4, $"worst decile level error {worst:g3}");
    }

    /// <summary>ELU: phi' = 1 for h &gt; 0, an atom of H_2 at c1 + b with mass p/2; the h &lt; 0 half is continuous below it.</summary>
    [Fact]
    public void OneEluLayer_HasTheFlatHalfAsAnAtomAtTheTop()
    {
        var net = NetworkArchitecture.Uniform(new[] { 400, 400, 400 }, Activation.Parse("elu"), 1.3, 0, WeightDistribution.Orthogonal, Activation.Identity);
        var law = FisherSpectrum.Compute(net);
        double q1 = 1.3 * net.InputVariance;
        double elu(double h) => h > 0 ? h : Math.Exp(h) - 1;
        double c1 = GaussianMean(h => elu(h) * elu(h), q1), b = 1.3 * net.InputVariance;
        var top = Assert.Single(law.Atoms);
        Assert.Equal(c1 + b, top.Position, 1e-6 * (c1 + b));
        Assert.Equal(0.5, top.Mass, 1e-12);
        Assert.Equal(top.Position, law.LambdaMax, 1e-14 * top.Position);
        Assert.Equal(1, law.TotalMass, 1e-12);
        Assert.Equal(1, law.DensityMean / law.Mean, 2e-5);
    }
}
