using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// Real pruned random networks (random and magnitude pruning, rescaled or not) against the engine's law of the effective
/// architecture (<see cref="PrunedNetwork.Effective"/>), at widths 512-1024.
/// </summary>
/// <remarks>
/// Tolerances. Square critical ReLU networks (the threshold probe's network): per-draw level-error sd 0.3 / sqrt(n) (0.016 at
/// n = 400 in docs/engine, 0.013 at 512), plus the hard-edge finite-width bias of the low deciles, 0.035 at n = 400 and
/// 0.027 at 1000 (docs/engine): tolerance 0.035 + 4 sd / sqrt(draws). The zero fraction (rank = min of binomial active
/// counts) has sd 0.5 / sqrt(n) per draw and a bias of about one sd towards more zeros. Densities are chosen well above the
/// observed edge of stability (d = (1 - s) n kept weights per row >= 50, docs/engine/pruning.md), where the sparse
/// corrections are below these tolerances.
/// </remarks>
[Trait("Category", "MonteCarlo")]
public sealed class PrunedSpectrumMonteCarloTests
{
    private static readonly SpectrumOptions Options = new SpectrumOptions { GridPoints = 300 };
    private readonly ITestOutputHelper _output;

    public PrunedSpectrumMonteCarloTests(ITestOutputHelper output) => _output = output;

    private static NetworkArchitecture Relu(int n) => NetworkArchitecture.Uniform(new[] { n, n, n, n }, Activation.Relu, 2.0);

    private SampledSpectrum Check(string name, PrunedNetwork pruned, int seed, int draws, double levelTolerance, double zeroTolerance,
        SquaredSingularValueLaw? law = null)
    {
        law ??= JacobianSpectrum.Compute(pruned.Effective, Options);
        var sample = PrunedNetworkSampler.Sample(pruned.Dense, pruned.Pruning, seed, draws);
        var c = SpectrumComparison.Compare(name, law, sample);
        _output.WriteLine(c.Describe());
        _output.WriteLine($"  largest sampled / engine edge: {string.Join(" ", sample.LargestPerDraw.Select(x => (x / law.SupportUpper).ToString("0.000")))}");
        Assert.True(c.LevelErrors.All(e => Math.Abs(e) <= levelTolerance), $"level errors beyond {levelTolerance}:\n{c.Describe()}");
        Assert.True(Math.Abs(c.ZeroFractionError) <= zeroTolerance, $"zero fraction beyond {zeroTolerance}:\n{c.Describe()}");
        return sample;
    }

    [Theory]
    [InlineData("random", 0.9)]
    [InlineData("magnitude", 0.9)]
    public void Rescaled_ReluNetwork_KeepsTheDenseLaw(string method, double s)
    {
        // n = 512, d = 51 kept weights per row; 2 draws: level tolerance 0.035 + 4 * 0.013 / sqrt 2 = 0.072, zero fraction
        // one-sd bias 0.022 + 4 * 0.022 / sqrt 2 = 0.084.
        const int n = 512, draws = 2;
        var pruned = PrunedNetwork.Create(Relu(n), new PruningSpecification(s, PruningSpecification.ParseMethod(method), rescale: true));
        Assert.Equal(pruned.Dense.CacheKey(), pruned.Effective.CacheKey()); // rescaled: the dense law itself
        double sd = 0.3 / Math.Sqrt(n), zeroSd = 0.5 / Math.Sqrt(n);
        Check($"ReLU {n}^4, {method} s = {s}, rescaled", pruned, seed: 31, draws, 0.035 + 4 * sd / Math.Sqrt(draws), zeroSd + 4 * zeroSd / Math.Sqrt(draws));
    }

    [Theory]
    [InlineData("random")]
    [InlineData("magnitude")]
    public void NotRescaled_ReluNetwork_MatchesEffectiveLawAndShrinksTheNorm(string method)
    {
        // s = 0.5 in layers 2 and 3 only (input layer dense): the law is the dense one scaled by v^2 (ReLU: D^2 laws do not
        // move), and the spectral norm shrinks by v (= (1 - s)^((L-1)/2) for random pruning). The whole scaled law is checked
        // by the deciles. The sampled norm ratio (common random numbers: the pruned draw prunes the dense draw's weights) is
        // noisy: the largest eigenvalue of these depth-3 products spreads by sd ~0.12 relative per draw (measured 0.87-1.20
        // times the edge over 8 draws), i.e. ~0.06 on the norm, up to 0.085 on a ratio of two draws: tolerance 15% per draw.
        const int n = 512, draws = 2;
        var spec = new PruningSpecification(0.5, PruningSpecification.ParseMethod(method), rescale: false, prunedLayers: new[] { 2, 3 });
        var pruned = PrunedNetwork.Create(Relu(n), spec);
        double v = pruned.VarianceFactors[1];
        Assert.Equal(1.0, pruned.VarianceFactors[0]);
        double sd = 0.3 / Math.Sqrt(n), zeroSd = 0.5 / Math.Sqrt(n);
        var spectrum = PrunedSpectrum.Compute(pruned, Options);
        var sparse = Check($"ReLU {n}^4, {method} s = 0.5 in layers 2-3, not rescaled", pruned, seed: 41, draws,
            0.035 + 4 * sd / Math.Sqrt(draws), zeroSd + 4 * zeroSd / Math.Sqrt(draws), spectrum.Law);
        Assert.Equal(v, spectrum.SpectralNormShrinkage, 6); // sqrt(v^2), exact for ReLU
        Assert.Equal(v, spectrum.HomogeneousShrinkage, 12);
        var dense = PrunedNetworkSampler.Sample(pruned.Dense, new PruningSpecification(0), 41, draws);
        for (int k = 0; k < draws; k++)
        {
            double ratio = Math.Sqrt(sparse.LargestPerDraw[k] / dense.LargestPerDraw[k]);
            _output.WriteLine($"draw {k}: sampled norm ratio {ratio:F4}, predicted {spectrum.SpectralNormShrinkage:F4}");
            Assert.True(Math.Abs(ratio / spectrum.SpectralNormShrinkage - 1) < 0.15, $"norm ratio {ratio} vs {spectrum.SpectralNormShrinkage}");
        }
    }

    [Fact]
    public void NotRescaled_TanhNetwork_NormShrinksLessThanTheHomogeneousPower()
    {
        // tanh: pruning without rescaling also lowers q_l, which raises E[phi'^2]; the engine's law of the effective network
        // follows both. n = 512, sigma_w^2 = 1.5, random s = 0.5 in all 3 layers, 2 draws. Smooth activation: per-draw sd of
        // the level errors 0.3 / sqrt(n) plus the q_l fluctuation (docs/engine: <= 0.05 level at these widths);
        // no atom at zero (tolerance 0.01).
        const int n = 512, draws = 2;
        var dense = NetworkArchitecture.Uniform(new[] { n, n, n, n }, Activation.Tanh, 1.5);
        var spec = new PruningSpecification(0.5, PruningMethod.Random, rescale: false);
        var pruned = PrunedNetwork.Create(dense, spec);
        var spectrum = PrunedSpectrum.Compute(pruned, Options);
        var sparseSample = Check($"tanh {n}^4, random s = 0.5, not rescaled", pruned, seed: 51, draws, 0.05, 0.01, spectrum.Law);
        _output.WriteLine($"engine norm ratio {spectrum.SpectralNormShrinkage:F4}, homogeneous power {spectrum.HomogeneousShrinkage:F4}");
        Assert.False(spectrum.HasScaleInvariantDerivatives);
        Assert.True(spectrum.SpectralNormShrinkage > spectrum.HomogeneousShrinkage + 0.02);
        var denseSample = PrunedNetworkSampler.Sample(dense, new PruningSpecification(0), 51, draws);
        for (int k = 0; k < draws; k++)
        {
            double ratio = Math.Sqrt(sparseSample.LargestPerDraw[k] / denseSample.LargestPerDraw[k]);
            _output.WriteLine($"draw {k}: sampled norm ratio {ratio:F4}");
            // Same 15% per-draw allowance as for ReLU; the homogeneous power (1 - s)^(3/2) = 0.354 lies 30% below the engine.
            Assert.True(Math.Abs(ratio / spectrum.SpectralNormShrinkage - 1) < 0.15, $"norm ratio {ratio} vs {spectrum.SpectralNormShrinkage}");
            Assert.True(ratio / spectrum.HomogeneousShrinkage - 1 > 0.2, $"norm ratio {ratio} close to the homogeneous power {spectrum.HomogeneousShrinkage}");
        }
    }

    [Theory]
    [InlineData("random")]
    [InlineData("magnitude")]
    public void SinglePrunedLayer_Width1024_MatchesMarchenkoPastur(string method)
    {
        // One linear layer 512 -> 1024 (W is 1024 x 512), s = 0.9 rescaled: W^T W has the Marchenko-Pastur law of ratio 2
        // (soft edges, no atom). Decile rigidity makes the dense level errors O(1/n); the sparse correction at d = 51 kept
        // weights per row is O(1/d) in the fourth cumulant of the entries; tolerance 0.02 in level.
        var dense = NetworkArchitecture.Uniform(new[] { 512, 1024 }, Activation.Identity, 1.0);
        var pruned = PrunedNetwork.Create(dense, new PruningSpecification(0.9, PruningSpecification.ParseMethod(method), rescale: true));
        Check($"linear 512 -> 1024, {method} s = 0.9, rescaled", pruned, seed: 61, draws: 1, 0.02, 0.002);
    }

    [Theory]
    [InlineData("random", 0.5)]
    [InlineData("magnitude", 0.9)]
    public void SingleLayerNorm_Width1024_ShrinksBySquareRootOfVarianceFactor(string method, double s)
    {
        // ||W_pruned|| / ||W|| for one 1024 x 1024 Gaussian matrix pruned without rescaling: sqrt(v) (both norms sit at the
        // edge 2 sigma of their law). Largest singular values by power iteration on W^T W (100 steps from the same start;
        // the dense spectrum at the edge leaves the Rayleigh quotient ~1% below the top, nearly the same for both matrices).
        // Edge fluctuations ~ 0.5 n^(-2/3) = 0.5% relative on each norm: tolerance 2%.
        const int n = 1024;
        var gaussian = new GaussianSource(71);
        var data = new double[n * n];
        gaussian.Fill(data, 1 / Math.Sqrt(n));
        var w = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfColumnMajor(n, n, data);
        var pruned = WeightPruning.Prune(w, s, PruningSpecification.ParseMethod(method), rescale: false, new Random(5));
        double v = PrunedNetwork.Create(NetworkArchitecture.Uniform(new[] { n, n }, Activation.Identity, 1.0),
            new PruningSpecification(s, PruningSpecification.ParseMethod(method), rescale: false)).VarianceFactors[0];
        double ratio = Norm(pruned) / Norm(w);
        _output.WriteLine($"{method} s = {s}: norm ratio {ratio:F5}, sqrt(v) = {Math.Sqrt(v):F5}, (1 - s)^(1/2) = {Math.Sqrt(1 - s):F5}");
        Assert.True(Math.Abs(ratio / Math.Sqrt(v) - 1) < 0.02, $"norm ratio {ratio} vs sqrt(v) = {Math.Sqrt(v)}");
    }

    private static double Norm(MathNet.Numerics.LinearAlgebra.Matrix<double> w)
    {
        var x = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(w.ColumnCount, i => 1 + 0.001 * i);
        double lambda = 0;
        for (int it = 0; it < 100; it++)
        {
            var y = w.TransposeThisAndMultiply(w * x);
            lambda = y.L2Norm() / x.L2Norm();
            x = y / y.L2Norm();
        }

        return Math.Sqrt(lambda);
    }
}
