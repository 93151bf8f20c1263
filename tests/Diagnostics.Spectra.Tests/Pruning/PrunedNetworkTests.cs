using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>Closed forms and identities of the pruned-network description, the pruned law and the weight pruning itself.</summary>
public sealed class PrunedNetworkTests
{
    private static readonly SpectrumOptions Options = new SpectrumOptions { GridPoints = 120 };

    [Fact]
    public void RandomPruning_NotRescaled_ScalesVariancesAndMeanExactly()
    {
        var dense = NetworkArchitecture.Uniform(new[] { 300, 400, 200, 100 }, Activation.Relu, 2.0, 0.1);
        var spectrum = PrunedSpectrum.Compute(dense, new PruningSpecification(0.75, PruningMethod.Random, rescale: false), Options);
        var net = spectrum.Network;
        Assert.Equal(new[] { 0.25, 0.25, 0.25 }, net.VarianceFactors);
        Assert.Equal(new[] { 0.5, 0.5, 0.5 }, net.Effective.Layers.Select(l => l.WeightVariance));
        Assert.Equal(new[] { 1.0, 1, 1 }, net.RescaleFactors);
        Assert.Equal(new long[] { 30000, 20000, 5000 }, net.KeptCounts);
        // ReLU (with bias: P(h > 0) = 1/2 still): D^2 laws do not move, J^T J scales by 0.25^3.
        Assert.True(spectrum.HasScaleInvariantDerivatives);
        Assert.Equal(Math.Pow(0.25, 3), spectrum.MeanRatio, 12);
        Assert.Equal(Math.Pow(0.25, 1.5), spectrum.SpectralNormShrinkage, 6);
        Assert.Equal(Math.Pow(0.25, 1.5), spectrum.HomogeneousShrinkage, 12);
        Assert.Equal(spectrum.DenseLaw.AtomAtZero, spectrum.Law.AtomAtZero, 12);
        Assert.Equal(spectrum.DenseLaw.QuantileNonZero(0.5) * Math.Pow(0.25, 3), spectrum.Law.QuantileNonZero(0.5), 8);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    public void InputLayerDense_NormShrinksLikePowerLMinusOneOverTwo(string activation)
    {
        // L = 4, layers 2-4 pruned at s: (1 - s)^((L-1)/2); all layers pruned: (1 - s)^(L/2).
        const double s = 0.6;
        var dense = NetworkArchitecture.Uniform(new[] { 200, 200, 200, 200, 200 }, Activation.Parse(activation), 2.0);
        var allButFirst = PrunedSpectrum.Compute(dense, new PruningSpecification(s, PruningMethod.Random, false, new[] { 2, 3, 4 }), Options);
        var all = PrunedSpectrum.Compute(dense, new PruningSpecification(s, PruningMethod.Random, false), Options);
        Assert.Equal(Math.Pow(1 - s, 1.5), allButFirst.SpectralNormShrinkage, 6);
        Assert.Equal(Math.Pow(1 - s, 2.0), all.SpectralNormShrinkage, 6);
        Assert.Equal(3, allButFirst.Network.PrunedLayerCount);
    }

    [Fact]
    public void Rescaled_EffectiveArchitectureIsTheDenseOne()
    {
        var dense = NetworkArchitecture.Uniform(new[] { 100, 100, 100 }, Activation.Tanh, 1.3);
        foreach (var method in new[] { PruningMethod.Random, PruningMethod.Magnitude })
        {
            var spectrum = PrunedSpectrum.Compute(dense, new PruningSpecification(0.9, method, rescale: true), Options);
            Assert.Equal(dense.CacheKey(), spectrum.Network.Effective.CacheKey());
            Assert.Same(spectrum.DenseLaw, spectrum.Law);
            Assert.Equal(1.0, spectrum.SpectralNormShrinkage, 15);
            foreach (var (v, r) in spectrum.Network.VarianceFactors.Zip(spectrum.Network.RescaleFactors))
                Assert.Equal(1.0, v * r * r, 12);
        }
    }

    [Fact]
    public void MagnitudeFactors_UseTheLayerSize()
    {
        var dense = NetworkArchitecture.Uniform(new[] { 30, 40, 50 }, Activation.Relu, 2.0);
        var net = PrunedNetwork.Create(dense, new PruningSpecification(0.5, PruningMethod.Magnitude, rescale: false));
        Assert.Equal(MagnitudePruningFactor.Finite(1200, 600), net.VarianceFactors[0], 15);
        Assert.Equal(MagnitudePruningFactor.Finite(2000, 1000), net.VarianceFactors[1], 15);
        Assert.True(net.VarianceFactors[0] > 0.5);
    }

    [Fact]
    public void ZeroSparsity_ChangesNothing()
    {
        var dense = NetworkArchitecture.Uniform(new[] { 50, 60, 70 }, Activation.Relu, 2.0);
        var net = PrunedNetwork.Create(dense, new PruningSpecification(0, PruningMethod.Magnitude, rescale: false));
        Assert.Equal(dense.CacheKey(), net.Effective.CacheKey());
        Assert.All(net.VarianceFactors, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void InvalidPruning_ThrowsTypedExceptions()
    {
        var dense = NetworkArchitecture.Uniform(new[] { 10, 10, 10 }, Activation.Relu, 2.0);
        Assert.Throws<InvalidArchitectureException>(() => PrunedNetwork.Create(dense, new PruningSpecification(0.5, prunedLayers: new[] { 3 })));
        Assert.Throws<InvalidArchitectureException>(() => new PruningSpecification(0.5, prunedLayers: new[] { 0 }));
        Assert.Throws<InvalidArchitectureException>(() => new PruningSpecification(0.5, prunedLayers: new[] { 1, 1 }));
        Assert.Throws<InvalidArchitectureException>(() => new PruningSpecification(0.5, (PruningMethod)7));
        Assert.Throws<InvalidArchitectureException>(() => PruningSpecification.ParseMethod("lottery"));
        Assert.Throws<InvalidArchitectureException>(() => PrunedNetwork.Create(dense, new PruningSpecification(0.999)));
        var orthogonal = NetworkArchitecture.Uniform(new[] { 10, 10 }, Activation.Relu, 2.0, weights: WeightDistribution.Orthogonal);
        Assert.Throws<InvalidArchitectureException>(() => PrunedNetwork.Create(orthogonal, new PruningSpecification(0.5)));
        // Orthogonal layers may stay dense.
        var mixed = new NetworkArchitecture(new[] { 10, 10, 10 }, new[]
        {
            new Layer(Activation.Relu, 2.0, 0, WeightDistribution.Orthogonal), new Layer(Activation.Relu, 2.0),
        });
        Assert.Equal(0.5, PrunedNetwork.Create(mixed, new PruningSpecification(0.5, rescale: false, prunedLayers: new[] { 2 })).VarianceFactors[1]);
        Assert.Throws<InvalidArchitectureException>(() => SparseStabilityCondition.For(1, 0.5));
        Assert.Throws<InvalidArchitectureException>(() => SparseStabilityCondition.For(100, 0));
    }

    [Fact]
    public void SufficientCondition_CannotHoldBelowAbout332000()
    {
        Assert.False(SparseStabilityCondition.For(332_100, 1).IsSatisfied);
        Assert.True(SparseStabilityCondition.For(332_300, 1).IsSatisfied);
        var c = SparseStabilityCondition.For(1024, 0.5);
        Assert.Equal(Math.Pow(Math.Log(1024), 5) / 1024, c.Bound, 12);
        Assert.Equal(0.5 / c.Bound, c.Ratio, 12);
        Assert.False(c.IsSatisfied);
    }

    [Fact]
    public void WeightPruning_KeepsTheLargestOrARandomFraction()
    {
        var gaussian = new GaussianSource(3);
        var data = new double[200 * 100];
        gaussian.Fill(data, 0.1);
        var w = Matrix<double>.Build.DenseOfColumnMajor(200, 100, data);

        // Magnitude: exactly round(0.3 N) kept, each kept |w| >= every removed |w|, rescaled by t_N(k)^(-1/2).
        var m = WeightPruning.Prune(w, 0.7, PruningMethod.Magnitude, rescale: true, new Random(1));
        double scale = 1 / Math.Sqrt(MagnitudePruningFactor.Finite(20000, 6000));
        var kept = new List<double>();
        var removed = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 100; j++)
            {
                if (m[i, j] != 0)
                {
                    Assert.Equal(w[i, j] * scale, m[i, j], 12);
                    kept.Add(Math.Abs(w[i, j]));
                }
                else removed.Add(Math.Abs(w[i, j]));
            }
        }

        Assert.Equal(6000, kept.Count);
        Assert.True(kept.Min() >= removed.Max());

        // Random: kept count Binomial(20000, 0.3), sd 64.8: within 4 sd of 6000; rescaled by (0.3)^(-1/2); input untouched.
        var r = WeightPruning.Prune(w, 0.7, PruningMethod.Random, rescale: true, new Random(2));
        int count = 0;
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 100; j++)
            {
                if (r[i, j] == 0) continue;
                count++;
                Assert.Equal(w[i, j] / Math.Sqrt(0.3), r[i, j], 12);
            }
        }

        Assert.True(Math.Abs(count - 6000) < 4 * Math.Sqrt(20000 * 0.3 * 0.7), $"kept {count}");
        Assert.Equal(data[17], w[17, 0]);
        Assert.Throws<InvalidArchitectureException>(() => WeightPruning.Prune(w, 1, PruningMethod.Random, true, new Random(1)));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void MagnitudePrunedMatrix_KeepsTheFactorOfItsSumOfSquares(double s)
    {
        // Real 512 x 512 Gaussian matrices (N = 2^18): the kept sum of squares over the total variance N sigma^2 against t_N(k).
        // sd bound: Var(Z^2 1{|Z| > tau}) / N with E[Z^4 1{|Z| > tau}] = 2 (tau^3 + 3 tau) phi(tau) + 3 (1 - s) (a fixed
        // threshold; the order-statistic threshold only lowers the variance). 4 such sd over 3 matrices.
        const int n = 512;
        double tau = MagnitudePruningFactor.Threshold(s), t = MagnitudePruningFactor.Limit(s);
        double phi = Math.Exp(-tau * tau / 2) / Math.Sqrt(2 * Math.PI);
        double sd = Math.Sqrt((2 * (tau * tau * tau + 3 * tau) * phi + 3 * (1 - s) - t * t) / ((double)n * n));
        double expected = MagnitudePruningFactor.ForLayer(n, n, s);
        double mean = 0;
        for (int draw = 0; draw < 3; draw++)
        {
            var gaussian = new GaussianSource(100 + draw);
            var data = new double[n * n];
            gaussian.Fill(data, 1);
            var pruned = WeightPruning.Prune(Matrix<double>.Build.DenseOfColumnMajor(n, n, data), s, PruningMethod.Magnitude, rescale: false, new Random(draw));
            mean += pruned.Enumerate().Sum(x => x * x) / ((double)n * n) / 3;
        }

        Assert.True(Math.Abs(mean - expected) < 4 * sd / Math.Sqrt(3), $"kept fraction {mean} vs t_N = {expected} (sd {sd})");
    }
}
