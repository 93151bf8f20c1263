using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// The engine's law of H_L against the eigenvalues of the real dual conditional FIM of sampled networks.
/// One input per network: |x_l|^2 / N fluctuates by ~sqrt(2/N) per layer (8% at N = 300), which rescales the whole
/// spectrum of a draw, so every statistic is compared with its mean over draws +- 4 standard errors (spread between draws),
/// plus a finite-width allowance stated per statistic.
/// </summary>
public class FisherMonteCarloTests(ITestOutputHelper output)
{
    private static readonly double[] Deciles = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

    [Theory]
    [Trait("Category", "MonteCarlo")]
    [InlineData("relu", 2.0, "orthogonal", 3, 300, 6)]
    [InlineData("relu", 2.0, "gaussian", 3, 300, 6)]
    [InlineData("tanh", 1.5, "orthogonal", 3, 300, 6)]
    [InlineData("identity", 1.0, "gaussian", 2, 300, 6)]
    [InlineData("tanh", 1.5, "orthogonal", 2, 300, 6)] // one smooth layer, square orthogonal output: the exact push-forward
    public void Deciles_Mean_LambdaMax(string activation, double sw, string init, int depth, int width, int draws) =>
        Compare(activation, sw, init, depth, width, draws, 0);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("relu", 2.0, "orthogonal", 10, 500, 10)]
    [InlineData("relu", 2.0, "gaussian", 6, 500, 10)]
    [InlineData("tanh", 1.5, "gaussian", 8, 400, 10)]
    [InlineData("tanh", 1.2, "orthogonal", 8, 400, 10)]
    [InlineData("identity", 1.0, "orthogonal", 5, 400, 6)]
    public void Deciles_Mean_LambdaMax_Wide(string activation, double sw, string init, int depth, int width, int draws) =>
        Compare(activation, sw, init, depth, width, draws, 0.1);

    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void Rectangular_Gaussian_Relu()
    {
        var net = NetworkArchitecture.Uniform(new[] { 300, 450, 250, 200 }, Activation.Relu, 2, 0, WeightDistribution.Gaussian, Activation.Identity);
        Compare(net, 6);
    }

    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void Rectangular_Orthogonal_Relu()
    {
        // Growing then shrinking layers: orthonormal columns (W^T W = sigma^2 I) and rows (a projection of rank N_{l+1}).
        var net = NetworkArchitecture.Uniform(new[] { 300, 450, 250, 200 }, Activation.Relu, 2, 0, WeightDistribution.Orthogonal, Activation.Identity);
        Compare(net, 6);
    }

    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void OneGeluLayer_WideningOrthogonalOutput()
    {
        // 300 -> 200 -> 400: the output's orthonormal columns keep D_1^2; a third of the law is the atom at c1.
        var net = NetworkArchitecture.Uniform(new[] { 300, 200, 400 }, Activation.Parse("gelu"), 1.7, 0.05, WeightDistribution.Orthogonal, Activation.Identity);
        Compare(net, 6);
    }

    private void Compare(string activation, double sw, string init, int depth, int width, int draws, double bias)
    {
        var weights = init == "gaussian" ? WeightDistribution.Gaussian : WeightDistribution.Orthogonal;
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(width, depth + 1).ToArray(), Activation.Parse(activation), sw, bias, weights, Activation.Identity);
        Compare(net, draws);
    }

    private void Compare(NetworkArchitecture net, int draws)
    {
        var law = FisherSpectrum.Compute(net);
        var perDraw = new List<double[]>();
        for (int k = 0; k < draws; k++)
        {
            var e = FisherSampler.SampleOnce(net, new GaussianSource(1000 + 17 * k));
            Array.Sort(e);
            perDraw.Add(e);
        }

        int width = net.Widths[net.Widths.Count - 1];
        output.WriteLine($"engine: mean {law.Mean:g5}, lambda_max {law.LambdaMax:g5}, mass {law.TotalMass:g6}, atoms {string.Join(", ", law.Atoms)}");
        var (mean, meanSe) = Stats(perDraw.Select(e => e.Average()));
        output.WriteLine($"sample: mean {mean:g5} +- {meanSe:g2}");
        Assert.InRange(law.Mean, mean - 4 * meanSe, mean + 4 * meanSe);

        foreach (double level in Deciles)
        {
            var (q, se) = Stats(perDraw.Select(e => SampledSpectrum.Quantile(e, level)));
            double engine = law.Quantile(level);
            // Finite width: decile positions move by O(1/sqrt(N)) relative (active counts, edge smoothing): 1.5/sqrt(N), 8.7% at N = 300.
            double allowance = 4 * se + 3.0 / Math.Sqrt(width) * 0.5 * Math.Abs(engine);
            output.WriteLine($"decile {level}: engine {engine:g5}, sample {q:g5} +- {se:g2} (allowed {allowance:g2})");
            Assert.InRange(engine, q - allowance, q + allowance);
        }

        var (top, topSe) = Stats(perDraw.Select(e => e[e.Length - 1]));
        output.WriteLine($"lambda_max: engine {law.LambdaMax:g5}, sample {top:g5} +- {topSe:g2}, ratio {top / law.LambdaMax:f3}");
        if (net.Layers.All(l => l.Weights == WeightDistribution.Orthogonal))
        {
            // Orthogonal weights: the edge converges like N^{-2/3}; allow 4 SE + 5%.
            Assert.InRange(law.LambdaMax, top - 4 * topSe - 0.05 * top, top + 4 * topSe + 0.05 * top);
        }
        else
        {
            // Gaussian weights: the largest eigenvalue of a finite network sits well inside the limit edge (heavy, slowly
            // converging upper tail; measured ratios 0.7-0.98 at N = 300); only require it not to exceed the limit by much.
            Assert.InRange(top / law.LambdaMax, 0.6, 1.05 + 4 * topSe / law.LambdaMax);
        }
    }

    private static (double Mean, double StandardError) Stats(IEnumerable<double> values)
    {
        var xs = values.ToArray();
        double mean = xs.Average();
        double variance = xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1);
        return (mean, Math.Sqrt(variance / xs.Length));
    }
}
