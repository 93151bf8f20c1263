using System.Globalization;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.MonteCarlo;

/// <summary>
/// The engine's limiting law of the eigenvalues of J^T J against real random networks of width 300-800: deciles of
/// the non-zero part, the zero fraction (atom) and the mean, for rectangular and square widths, Gaussian and
/// orthogonal weights, piecewise-linear and smooth activations, critical, vanishing and exploding regimes.
/// </summary>
/// <remarks>
/// <para>
/// How the tolerances are set. Each test states its width-driven per-draw standard deviations (sd), which were
/// measured over 12 independent seeds with this sampler and agree with the finite-width mechanisms named in each test;
/// a tolerance is a stated systematic finite-width allowance plus 4 sd / sqrt(draws). Decile errors are checked in two
/// units: the level error G(sampled decile) - k/10 (G the engine's CDF of the non-zero part), which stays small even
/// where the law is spread over many decades near a hard edge at zero, and ln(sampled / engine), checked on the
/// deciles where the density per unit of ln x is large enough that the level noise maps to a small log error.
/// </para>
/// <para>
/// Main finite-width effects: (1) the fraction of active units of ReLU-like layers fluctuates like
/// sqrt(p (1 - p) / N_l) (2.5% at N = 400), which moves the rank (atom) and the shape of the non-zero part: the
/// product of min over layers also biases the sampled rank down by about one sd; (2) for smooth activations the
/// empirical q_l fluctuates like q sqrt(2 / N), so chi_l and the overall scale fluctuate by a few % per layer (the
/// mean's sd grows like sqrt(L / N)); (3) where consecutive layers have the same number of active units in the limit
/// (square ReLU networks), the law has a hard edge at zero whose finite-N version is smoothed by the rank mismatch
/// |k_l - k_{l+1}| ~ sqrt(2 p (1 - p) N): the low deciles are biased up by a level of 0.05 / 0.035 / 0.027 at
/// N = 200 / 400 / 1000 (decaying like N^-1/2; measured on ReLU sigma_w^2 = 3, depth 5).
/// </para>
/// </remarks>
[Trait("Category", "MonteCarlo")]
public sealed class JacobianSpectrumMonteCarloTests
{
    private static readonly SpectrumOptions DefaultOptions = new SpectrumOptions { GridPoints = 400 };

    /// <summary>
    /// A finer discretisation of the D^2 law of smooth activations than the default 24 Gauss-Hermite atoms; see
    /// the skipped default-option tests below for what the default gives on the same networks.
    /// </summary>
    private static readonly SpectrumOptions FineOptions = new SpectrumOptions { GridPoints = 400, SmoothActivationAtoms = 100 };

    private readonly ITestOutputHelper _output;

    public JacobianSpectrumMonteCarloTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void RectangularRelu_DecilesMatchSampledNetwork()
    {
        // Growing then shrinking widths; rank bottleneck in the last layer (150 active units of 300): soft edges.
        // Per-draw sd (12 seeds): level 0.016, ln deciles 0.13 / 0.09 / 0.08 (1-3) and <= 0.052 (4-9), zero fraction
        // 0.017 (binomial active counts, sd sqrt(300 / 4) / 400 = 0.022 at the bottleneck), mean 0.067 ~ sqrt(L / N).
        var net = NetworkArchitecture.Uniform(new[] { 400, 800, 600, 300 }, Activation.Relu, 2.0);
        Check("ReLU 400-800-600-300, sigma_w^2 = 2", net, DefaultOptions, seed: 11, draws: 3, new Tolerance
        {
            ZeroFraction = 0.01 + 4 * 0.017 / Math.Sqrt(3),
            MeanLog = 4 * 0.067 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.016 / Math.Sqrt(3),
            DecileLog = Logs(0.01 + 4 * 0.13 / Math.Sqrt(3), 0.01 + 4 * 0.09 / Math.Sqrt(3), 0.01 + 4 * 0.08 / Math.Sqrt(3), 0.01 + 4 * 0.052 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void RectangularHardTanh_DecilesMatchSampledNetwork()
    {
        // Active fractions 0.58, 0.70, 0.73 (q_l = 1.55, 0.95, 0.81); bottleneck in layer 1 (231 of 400 units).
        // Per-draw sd (12 seeds): level 0.017, ln deciles 0.17 / 0.11 / 0.09 (1-3) and <= 0.072 (4-9) — driven by the
        // active counts (binomial sd 2.5% plus the fluctuation of q_1); zero fraction 0.020; mean 0.098.
        var net = NetworkArchitecture.Uniform(new[] { 600, 400, 500, 500 }, Activation.HardTanh, 1.5, 0.05);
        Check("hard tanh 600-400-500-500, sigma_w^2 = 1.5, sigma_b^2 = 0.05", net, DefaultOptions, seed: 12, draws: 3, new Tolerance
        {
            ZeroFraction = 0.01 + 4 * 0.020 / Math.Sqrt(3),
            MeanLog = 4 * 0.098 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.017 / Math.Sqrt(3),
            DecileLog = Logs(0.01 + 4 * 0.17 / Math.Sqrt(3), 0.01 + 4 * 0.11 / Math.Sqrt(3), 0.01 + 4 * 0.09 / Math.Sqrt(3), 0.01 + 4 * 0.072 / Math.Sqrt(3)),
        });
    }

    /// <summary>
    /// For piecewise-linear activations with one non-zero derivative level, the non-zero spectrum of a draw is exactly
    /// that of the linear network with widths (N_0, k_1, ..., k_L), k_l the realised active counts, and weight
    /// variances sigma_w^2 k_{l-1} / N_{l-1} (up to the rank-one conditioning of each W_l on the sign pattern of
    /// W_l x_{l-1}). Reading the engine at the realised counts removes the dominant finite-width fluctuation, so
    /// the remaining tolerance is small: per-draw conditional sd (12 seeds, hard tanh) 0.046 / 0.030 (ln, deciles
    /// 1-2), <= 0.025 (3-9), systematic |mean| <= 0.017.
    /// </summary>
    [Theory]
    [InlineData("relu")]
    [InlineData("hardtanh")]
    public void PiecewiseLinear_GivenRealisedActiveCounts_MatchesEquivalentLinearNetwork(string which)
    {
        var net = which == "relu"
            ? NetworkArchitecture.Uniform(new[] { 400, 800, 600, 300 }, Activation.Relu, 2.0)
            : NetworkArchitecture.Uniform(new[] { 600, 400, 500, 500 }, Activation.HardTanh, 1.5, 0.05);
        const int draws = 3;
        var sample = RandomNetworkSampler.Sample(net, seed: 21, draws: draws);
        var logRatios = new double[9];
        for (int draw = 0; draw < draws; draw++)
        {
            var widths = new List<int> { net.Widths[0] };
            var layers = new List<Layer>();
            double previousFraction = 1;
            for (int l = 0; l < net.Depth; l++)
            {
                int active = (int)Math.Round(sample.ActiveFraction[draw][l] * net.Widths[l + 1]);
                widths.Add(active);
                layers.Add(new Layer(Activation.Identity, net.Layers[l].WeightVariance * previousFraction));
                previousFraction = (double)active / net.Widths[l + 1];
            }

            var linear = JacobianSpectrum.Compute(new NetworkArchitecture(widths, layers), DefaultOptions);
            var comparison = SpectrumComparison.Compare($"{which} draw {draw} vs linear {string.Join("-", widths)}", linear, sample.SingleDraw(draw));
            _output.WriteLine(comparison.Describe());
            Assert.True(Math.Abs(comparison.ZeroFractionError) <= 1.0 / net.Widths[0] + 1e-12, $"rank of the draw differs from min(N_0, k_l):\n{comparison.Describe()}");
            for (int k = 0; k < 9; k++) logRatios[k] += comparison.LogRatios[k] / draws;
        }

        _output.WriteLine("mean ln ratio over draws: " + string.Join(" ", logRatios.Select(x => x.ToString("+0.000;-0.000", CultureInfo.InvariantCulture))));
        for (int k = 0; k < 9; k++)
        {
            double sd = k == 0 ? 0.046 : k == 1 ? 0.030 : 0.025;
            double tolerance = 0.02 + 4 * sd / Math.Sqrt(draws);
            Assert.True(Math.Abs(logRatios[k]) <= tolerance, $"decile {k + 1}: mean ln ratio {logRatios[k]:g3} exceeds {tolerance:g3}");
        }
    }

    [Fact]
    public void TanhWithoutBias_DecilesMatchSampledNetwork()
    {
        // q_l decreases 1.2 -> 0.25 (sigma_w^2 = 1.2, no fixed point above 0 reached in 4 layers); no atom, hard edge at
        // zero with 4% of the non-zero mass below 1e-10 lambda_max. Per-draw sd (12 seeds): level 0.009, ln deciles
        // 0.23 / 0.19 / 0.15 / 0.14 (1-4), <= 0.13 (5-9), mean 0.075 (q_l fluctuations ~ sqrt(2 / 500) per layer).
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500, 500 }, Activation.Tanh, 1.2);
        Check("tanh 500^5, sigma_w^2 = 1.2, no bias", net, DefaultOptions, seed: 13, draws: 3, new Tolerance
        {
            ZeroFraction = 0.005 + 4 * 0.004 / Math.Sqrt(3),
            MeanLog = 4 * 0.075 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.009 / Math.Sqrt(3),
            DecileLog = Logs(0.02 + 4 * 0.23 / Math.Sqrt(3), 0.02 + 4 * 0.19 / Math.Sqrt(3), 0.02 + 4 * 0.15 / Math.Sqrt(3), 0.02 + 4 * 0.13 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void RectangularTanhWithBias_DecilesMatchSampledNetwork()
    {
        // 100 Gauss-Hermite atoms: with the default 24 the engine throws on this network (see the skipped test).
        // Per-draw sd (12 seeds): level 0.015, ln deciles 0.19 / 0.17 / 0.17 (1-3), <= 0.154 (4-9), mean 0.093.
        var net = NetworkArchitecture.Uniform(new[] { 500, 700, 500, 400 }, Activation.Tanh, 1.5, 0.1);
        Check("tanh 500-700-500-400, sigma_w^2 = 1.5, sigma_b^2 = 0.1", net, FineOptions, seed: 14, draws: 3, new Tolerance
        {
            ZeroFraction = 0.005,
            MeanLog = 4 * 0.093 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.015 / Math.Sqrt(3),
            DecileLog = Logs(0.02 + 4 * 0.19 / Math.Sqrt(3), 0.02 + 4 * 0.17 / Math.Sqrt(3), 0.02 + 4 * 0.17 / Math.Sqrt(3), 0.02 + 4 * 0.154 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void Gelu_DecilesMatchSampledNetwork()
    {
        // GELU' vanishes at h = -0.75, so D^2 has mass near zero and the law has a heavy hard edge (9% of the
        // non-zero mass below 1e-10 lambda_max). 100 atoms (the default 24 misplaces the low tail, see the skipped
        // test). Per-draw sd (12 seeds): level 0.011; the deep tail (deciles 1-3, values 1e-7..1e-4 of the mean) is
        // biased up by a level of 0.015-0.020 at N = 500 and N = 1000 alike (an unconverged discretisation of the
        // near-zero part of D^2: 200 and 400 atoms move the engine's CDF there by 0.02), hence the 0.03 allowance.
        // ln deciles are checked on 5-9 only (sd <= 0.22 per draw, the law spans 7 decades below decile 5).
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Gelu, 2.0);
        Check("GELU 500^4, sigma_w^2 = 2", net, FineOptions, seed: 15, draws: 3, new Tolerance
        {
            ZeroFraction = 0.015 + 4 * 0.008 / Math.Sqrt(3),
            MeanLog = 4 * 0.098 / Math.Sqrt(3),
            Level = 0.03 + 4 * 0.011 / Math.Sqrt(3),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.02 + 4 * 0.224 / Math.Sqrt(3), firstBulkDecile: 5),
        });
    }

    [Fact]
    public void RectangularIdentity_DecilesMatchSampledNetwork()
    {
        // Product of independent rectangular Gaussian matrices: no D fluctuation, exact atom 1 - 300/400. Only the
        // O(1/N) bias and eigenvalue rigidity remain: per-draw sd (12 seeds) level 0.004, ln deciles 0.032 (1),
        // <= 0.024 (2-9), mean 0.010 (Frobenius norm of a product, relative sd ~ sqrt(2 L) / N).
        var net = NetworkArchitecture.Uniform(new[] { 400, 800, 300, 600 }, Activation.Identity, 1.0);
        Check("identity 400-800-300-600", net, DefaultOptions, seed: 16, draws: 2, new Tolerance
        {
            ZeroFraction = 1e-9,
            MeanLog = 4 * 0.010 / Math.Sqrt(2),
            Level = 0.005 + 4 * 0.004 / Math.Sqrt(2),
            DecileLog = Logs(0.01 + 4 * 0.032 / Math.Sqrt(2), 0.01 + 4 * 0.024 / Math.Sqrt(2), 0.01 + 4 * 0.024 / Math.Sqrt(2), 0.01 + 4 * 0.024 / Math.Sqrt(2)),
        });
    }

    [Fact]
    public void LeakyRelu_DecilesMatchSampledNetwork()
    {
        // Slope 0.2: D^2 takes the values 0.04 and 1 with fluctuating counts (binomial sd 2.2% at N = 500), no atom,
        // hard edge at zero. Per-draw sd (12 seeds): level 0.008, ln deciles <= 0.10 (1-3), <= 0.148 (4-9), mean 0.054.
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.LeakyRelu(0.2), 2 / 1.04);
        Check("leaky ReLU(0.2) 500^4, sigma_w^2 = 2/1.04", net, DefaultOptions, seed: 17, draws: 3, new Tolerance
        {
            ZeroFraction = 0.002 + 4 * 0.0014 / Math.Sqrt(3),
            MeanLog = 4 * 0.054 / Math.Sqrt(3),
            Level = 0.005 + 4 * 0.008 / Math.Sqrt(3),
            DecileLog = Logs(0.02 + 4 * 0.10 / Math.Sqrt(3), 0.02 + 4 * 0.10 / Math.Sqrt(3), 0.02 + 4 * 0.10 / Math.Sqrt(3), 0.02 + 4 * 0.148 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void OrthogonalSquareTanh_DecilesMatchSampledNetwork()
    {
        // Haar orthogonal weights: only the D's spread the spectrum. 100 atoms (the default throws, see below); 200 grid
        // points (the deciles agree with 400 to 4 digits, at half the cost). Per-draw sd (12 seeds): level 0.015, ln
        // deciles 0.19 / 0.20 / 0.14 (1-3), <= 0.10 (4-9), mean 0.040.
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Tanh, 1.2, 0, WeightDistribution.Orthogonal);
        Check("orthogonal tanh 500^4, sigma_w^2 = 1.2", net, new SpectrumOptions { GridPoints = 200, SmoothActivationAtoms = 100 }, seed: 18, draws: 2, new Tolerance
        {
            ZeroFraction = 0.005,
            MeanLog = 4 * 0.040 / Math.Sqrt(2),
            Level = 0.01 + 4 * 0.015 / Math.Sqrt(2),
            DecileLog = Logs(0.02 + 4 * 0.19 / Math.Sqrt(2), 0.02 + 4 * 0.20 / Math.Sqrt(2), 0.02 + 4 * 0.14 / Math.Sqrt(2), 0.02 + 4 * 0.10 / Math.Sqrt(2)),
        });
    }

    [Fact]
    public void OrthogonalRectangularTanh_DecilesMatchSampledNetwork()
    {
        // Orthonormal columns in the growing layer (q_2 uses sigma_w^2 N_1 / N_2), rows in the shrinking ones.
        // Per-draw sd (12 seeds): level 0.021, ln deciles 0.15 / 0.13 / 0.12 (1-3), <= 0.11 (4-9), mean 0.063.
        var net = NetworkArchitecture.Uniform(new[] { 400, 600, 500, 300 }, Activation.Tanh, 1.5, 0.05, WeightDistribution.Orthogonal);
        Check("orthogonal tanh 400-600-500-300, sigma_w^2 = 1.5, sigma_b^2 = 0.05", net, FineOptions, seed: 19, draws: 3, new Tolerance
        {
            ZeroFraction = 0.005,
            MeanLog = 4 * 0.063 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.021 / Math.Sqrt(3),
            DecileLog = Logs(0.02 + 4 * 0.15 / Math.Sqrt(3), 0.02 + 4 * 0.13 / Math.Sqrt(3), 0.02 + 4 * 0.12 / Math.Sqrt(3), 0.02 + 4 * 0.11 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void OrthogonalSquareRelu_DecilesMatchSampledNetwork()
    {
        // Equal active counts in the limit: hard edge at zero, low deciles biased up by the rank mismatch (measured
        // level bias 0.020 / 0.018 / 0.014 on deciles 1-3 at N = 500). Per-draw sd (12 seeds): level 0.019, ln
        // deciles <= 0.102 (4-9; 1-3 are checked in level only), zero fraction 0.013 + min-of-3 bias, mean 0.073.
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Relu, 2.0, 0, WeightDistribution.Orthogonal);
        Check("orthogonal ReLU 500^4, sigma_w^2 = 2", net, DefaultOptions, seed: 20, draws: 2, new Tolerance
        {
            ZeroFraction = 0.015 + 4 * 0.013 / Math.Sqrt(2),
            MeanLog = 4 * 0.073 / Math.Sqrt(2),
            Level = 0.025 + 4 * 0.019 / Math.Sqrt(2),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.05 + 4 * 0.102 / Math.Sqrt(2)),
        });
    }

    [Fact]
    public void OrthogonalRectangularRelu_DecilesMatchSampledNetwork()
    {
        // Soft edges (bottleneck of 150 active units of 300 in the last layer). Per-draw sd (12 seeds): level 0.031,
        // ln deciles 0.17 / 0.14 / 0.12 (1-3), <= 0.104 (4-9), zero fraction 0.020, mean 0.088.
        var net = NetworkArchitecture.Uniform(new[] { 400, 800, 600, 300 }, Activation.Relu, 2.0, 0, WeightDistribution.Orthogonal);
        Check("orthogonal ReLU 400-800-600-300, sigma_w^2 = 2", net, DefaultOptions, seed: 22, draws: 3, new Tolerance
        {
            ZeroFraction = 0.01 + 4 * 0.020 / Math.Sqrt(3),
            MeanLog = 4 * 0.088 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.031 / Math.Sqrt(3),
            DecileLog = Logs(0.01 + 4 * 0.17 / Math.Sqrt(3), 0.01 + 4 * 0.14 / Math.Sqrt(3), 0.01 + 4 * 0.12 / Math.Sqrt(3), 0.01 + 4 * 0.104 / Math.Sqrt(3)),
        });
    }

    [Fact]
    public void VanishingDeepRelu_DecilesMatchSampledNetwork()
    {
        // ReLU sigma_w^2 = 1, depth 8, width 400: mean 2^-8, the law spans ~10 decades (8% of the non-zero mass below
        // 1e-10 lambda_max). Hard edge with rank mismatch: measured level bias +0.010 on deciles 1-3. Per-draw sd
        // (12 seeds): level 0.012, ln deciles <= 0.16 (5-9), zero fraction 0.008 (+0.010 bias: min over 8 layers of
        // binomial counts), mean 0.12 (sqrt(8 / 400) = 0.14).
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(400, 9).ToArray(), Activation.Relu, 1.0);
        Check("ReLU 400^9 (depth 8), sigma_w^2 = 1", net, DefaultOptions, seed: 23, draws: 3, new Tolerance
        {
            ZeroFraction = 0.015 + 4 * 0.008 / Math.Sqrt(3),
            MeanLog = 4 * 0.12 / Math.Sqrt(3),
            Level = 0.015 + 4 * 0.012 / Math.Sqrt(3),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.04 + 4 * 0.16 / Math.Sqrt(3), firstBulkDecile: 5),
        });
    }

    [Fact]
    public void ExplodingRelu_DecilesMatchSampledNetwork()
    {
        // ReLU sigma_w^2 = 3, depth 5, width 400: mean 1.5^5. Hard edge with rank mismatch: measured level bias
        // +0.036 / 0.032 / 0.028 on deciles 1-3 at N = 400 (0.027 at N = 1000, 0.052 at N = 200). Per-draw sd
        // (12 seeds): level 0.020, ln deciles <= 0.132 (6-9), zero fraction 0.018 (+0.026 bias, min over 5 layers),
        // mean 0.14.
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(400, 6).ToArray(), Activation.Relu, 3.0);
        Check("ReLU 400^6 (depth 5), sigma_w^2 = 3", net, DefaultOptions, seed: 24, draws: 3, new Tolerance
        {
            ZeroFraction = 0.03 + 4 * 0.018 / Math.Sqrt(3),
            MeanLog = 4 * 0.14 / Math.Sqrt(3),
            Level = 0.04 + 4 * 0.020 / Math.Sqrt(3),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.08 + 4 * 0.132 / Math.Sqrt(3), firstBulkDecile: 6),
        });
    }

    [Fact]
    public void ExplodingTanh_DecilesMatchSampledNetwork()
    {
        // tanh sigma_w^2 = 4, depth 5 (chaotic: chi ~ 1.36 per layer): 28% of the non-zero mass lies below
        // 1e-10 lambda_max. 200 atoms: with the default 24 the engine's mean is 19% low (see the skipped test). The
        // overall scale (product of the realised chi_l) fluctuates by ~0.15-0.25 in ln per draw at N = 400, moving
        // all deciles together; level errors stay small. Per-draw sd (12 seeds): level 0.013, ln deciles <= 0.25 (6-9),
        // zero fraction 0.010, mean (of the EVD, dominated by the top eigenvalues) 0.153.
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(400, 6).ToArray(), Activation.Tanh, 4.0);
        Check("tanh 400^6 (depth 5), sigma_w^2 = 4", net, new SpectrumOptions { GridPoints = 400, SmoothActivationAtoms = 200 }, seed: 25, draws: 3, new Tolerance
        {
            ZeroFraction = 0.01 + 4 * 0.010 / Math.Sqrt(3),
            MeanLog = 4 * 0.153 / Math.Sqrt(3),
            Level = 0.01 + 4 * 0.013 / Math.Sqrt(3),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.02 + 4 * 0.25 / Math.Sqrt(3), firstBulkDecile: 6),
        });
    }

    /// <summary>
    /// The mean alone, to about 2%: E||J v||^2 / N_0 over many networks and Gaussian probes v (no eigen-decomposition).
    /// For ReLU with zero bias E tr(J^T J) / N_0 is exactly prod chi_l N_l / N_{l-1} at any width; for smooth
    /// activations the finite-width bias is O(L / N) (1% at L = 5, N = 400), allowed for.
    /// </summary>
    [Theory]
    [InlineData("relu", 0.0)]
    [InlineData("tanh-exploding", 0.012)]
    public void Mean_MatchesProbeEstimateOverManyNetworks(string which, double bias)
    {
        var (net, options) = which switch
        {
            "relu" => (NetworkArchitecture.Uniform(new[] { 400, 800, 600, 300 }, Activation.Relu, 2.0), DefaultOptions),
            _ => (NetworkArchitecture.Uniform(Enumerable.Repeat(400, 6).ToArray(), Activation.Tanh, 4.0), new SpectrumOptions { GridPoints = 400, SmoothActivationAtoms = 200 }),
        };
        var law = JacobianSpectrum.Compute(net, options);
        var (mean, se) = RandomNetworkSampler.ProbeMean(net, seed: 31, networks: 40);
        _output.WriteLine($"{which}: probe mean {mean:g5} +- {se:g3}, engine Mean {law.Mean:g5}, prod of gains {law.Propagation.JacobianMean:g5}");
        Assert.True(Math.Abs(mean - law.Mean) <= 4 * se + bias * law.Mean, $"{which}: probe mean {mean:g5} +- {se:g3} vs engine {law.Mean:g5}");
    }

    /// <summary>
    /// Per-layer mean-field quantities against forward passes: q_l, chi_l = sigma_w^2 E[phi'^2] and the active
    /// fraction, including orthogonal weights on growing layers (q uses sigma_w^2 N_{l-1} / N_l there). Tolerance:
    /// 5 standard errors of the mean over draws (the spread between draws is measured) plus 1% for the O(1/N) bias.
    /// </summary>
    [Theory]
    [InlineData("tanh-bias-rect")]
    [InlineData("orthogonal-tanh-rect")]
    [InlineData("hardtanh-rect")]
    [InlineData("gelu")]
    public void MeanField_QChiAndActiveFractionsMatchForwardPasses(string which)
    {
        var net = which switch
        {
            "tanh-bias-rect" => NetworkArchitecture.Uniform(new[] { 500, 700, 500, 400 }, Activation.Tanh, 1.5, 0.1),
            "orthogonal-tanh-rect" => NetworkArchitecture.Uniform(new[] { 300, 600, 500, 300 }, Activation.Tanh, 1.5, 0.05, WeightDistribution.Orthogonal),
            "hardtanh-rect" => NetworkArchitecture.Uniform(new[] { 600, 400, 500, 500 }, Activation.HardTanh, 1.5, 0.05),
            _ => NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Gelu, 2.0),
        };
        int draws = net.Layers[0].Weights == WeightDistribution.Orthogonal ? 10 : 20;
        var forward = RandomNetworkSampler.Forward(net, seed: 41, draws: draws);
        var propagation = SignalPropagation.Compute(net);
        for (int l = 0; l < net.Depth; l++)
        {
            var q = ForwardStatistics.Summary(forward.PreActivationVariance, l);
            var d2 = ForwardStatistics.Summary(forward.DerivativeSecondMoment, l);
            var active = ForwardStatistics.Summary(forward.ActiveFraction, l);
            double sw2 = net.Layers[l].WeightVariance;
            _output.WriteLine($"layer {l + 1}: q {q.Mean:g4}+-{q.StandardError:g2} vs {propagation.Q[l]:g4}; chi {sw2 * d2.Mean:g4}+-{sw2 * d2.StandardError:g2} vs {propagation.Chi[l]:g4}; active {active.Mean:g4} vs {propagation.ActiveFractions[l]:g4}");
            Assert.True(Math.Abs(q.Mean - propagation.Q[l]) <= 5 * q.StandardError + 0.01 * propagation.Q[l], $"layer {l + 1}: sampled q {q.Mean:g5} +- {q.StandardError:g3} vs engine {propagation.Q[l]:g5}");
            Assert.True(Math.Abs(sw2 * d2.Mean - propagation.Chi[l]) <= 5 * sw2 * d2.StandardError + 0.01 * propagation.Chi[l], $"layer {l + 1}: sampled chi {sw2 * d2.Mean:g5} vs engine {propagation.Chi[l]:g5}");
            Assert.True(Math.Abs(active.Mean - propagation.ActiveFractions[l]) <= 5 * active.StandardError + 0.01, $"layer {l + 1}: sampled active fraction {active.Mean:g5} vs engine {propagation.ActiveFractions[l]:g5}");
        }
    }

    // ---- engine problems found by these tests (see the report in the skip reasons) ----

    [Theory]
    [InlineData("tanh-bias-rect")]
    [InlineData("orthogonal-tanh-square")]
    [InlineData("orthogonal-tanh-rect")]
    public void SmoothActivations_DefaultOptions_Compute(string which)
    {
        var net = which switch
        {
            "tanh-bias-rect" => NetworkArchitecture.Uniform(new[] { 500, 700, 500, 400 }, Activation.Tanh, 1.5, 0.1),
            "orthogonal-tanh-square" => NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Tanh, 1.2, 0, WeightDistribution.Orthogonal),
            _ => NetworkArchitecture.Uniform(new[] { 400, 600, 500, 300 }, Activation.Tanh, 1.5, 0.05, WeightDistribution.Orthogonal),
        };
        var fine = JacobianSpectrum.Compute(net, FineOptions);
        var law = JacobianSpectrum.Compute(net, DefaultOptions);
        Assert.Equal(fine.Mean, law.Mean, 2);
        for (int k = 5; k <= 9; k++) Assert.Equal(Math.Log(fine.QuantileNonZero(k / 10.0)), Math.Log(law.QuantileNonZero(k / 10.0)), 1);
    }

    [Fact]
    public void ExplodingTanh_DefaultAtoms_MeanMatchesSampledNetworks()
    {
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(400, 6).ToArray(), Activation.Tanh, 4.0);
        var law = JacobianSpectrum.Compute(net, DefaultOptions);
        var (mean, se) = RandomNetworkSampler.ProbeMean(net, seed: 31, networks: 40);
        Assert.True(Math.Abs(mean - law.Mean) <= 4 * se + 0.012 * law.Mean, $"probe mean {mean:g5} +- {se:g3} vs engine {law.Mean:g5}");
        Assert.Equal(law.Propagation.JacobianMean, law.Mean, 2);
    }

    [Fact]
    public void Gelu_DefaultAtoms_DecilesMatchSampledNetwork()
    {
        var net = NetworkArchitecture.Uniform(new[] { 500, 500, 500, 500 }, Activation.Gelu, 2.0);
        Check("GELU 500^4, sigma_w^2 = 2, default atoms", net, DefaultOptions, seed: 15, draws: 3, new Tolerance
        {
            ZeroFraction = 0.015 + 4 * 0.008 / Math.Sqrt(3),
            MeanLog = 4 * 0.098 / Math.Sqrt(3),
            Level = 0.03 + 4 * 0.011 / Math.Sqrt(3),
            DecileLog = Logs(double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0.02 + 4 * 0.224 / Math.Sqrt(3), firstBulkDecile: 5),
        });
    }

    // ---- helpers ----

    internal sealed class Tolerance
    {
        /// <summary>|sampled - engine| of the fraction at or below the zero threshold.</summary>
        public double ZeroFraction { get; init; }

        /// <summary>|ln(sampled mean / engine mean)|.</summary>
        public double MeanLog { get; init; }

        /// <summary>|G(sampled decile) - level| for every decile.</summary>
        public double Level { get; init; }

        /// <summary>|ln(sampled / engine)| per decile (infinity: checked in level only).</summary>
        public double[] DecileLog { get; init; } = Array.Empty<double>();
    }

    /// <summary>Per-decile ln tolerances: deciles 1, 2, 3 and then one value for the bulk (from firstBulkDecile, default 4).</summary>
    internal static double[] Logs(double first, double second, double third, double bulk, int firstBulkDecile = 4)
    {
        var t = new double[9];
        for (int k = 0; k < 9; k++)
        {
            t[k] = k == 0 ? first : k == 1 ? second : k == 2 ? third : k + 1 >= firstBulkDecile ? bulk : double.PositiveInfinity;
        }

        return t;
    }

    internal static void Assert_Matches(SpectrumComparison c, Tolerance t)
    {
        var failures = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        if (!(Math.Abs(c.ZeroFractionError) <= t.ZeroFraction))
            failures.Add($"zero fraction {c.SampledZeroFraction.ToString("0.0000", inv)} vs {c.EngineZeroFraction.ToString("0.0000", inv)} (tolerance {t.ZeroFraction.ToString("0.0000", inv)})");
        if (!(Math.Abs(c.MeanLogRatio) <= t.MeanLog))
            failures.Add($"mean {c.SampledMean.ToString("g5", inv)} vs {c.EngineMean.ToString("g5", inv)} (ln ratio {c.MeanLogRatio.ToString("g3", inv)}, tolerance {t.MeanLog.ToString("g3", inv)})");
        for (int k = 0; k < c.Levels.Length; k++)
        {
            if (!(Math.Abs(c.LevelErrors[k]) <= t.Level))
                failures.Add($"decile {k + 1}: level error {c.LevelErrors[k].ToString("g3", inv)} (tolerance {t.Level.ToString("g3", inv)})");
            if (!(Math.Abs(c.LogRatios[k]) <= t.DecileLog[k]))
                failures.Add($"decile {k + 1}: ln ratio {c.LogRatios[k].ToString("g3", inv)} (tolerance {t.DecileLog[k].ToString("g3", inv)})");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\n" + c.Describe());
    }

    private void Check(string name, NetworkArchitecture net, SpectrumOptions options, int seed, int draws, Tolerance tolerance)
    {
        var law = JacobianSpectrum.Compute(net, options);
        var sample = RandomNetworkSampler.Sample(net, seed, draws);
        var comparison = SpectrumComparison.Compare(name, law, sample);
        _output.WriteLine(comparison.Describe());
        Assert_Matches(comparison, tolerance);
    }
}
