using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Residual;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Residual;

/// <summary>
/// The universal residual law (eq. 25) and the residual signal propagation against real residual networks
/// x^l = phi(W^l x^{l-1}) + a x^{l-1} with W entries N(0, sigma_W^2/(L N)): q^l and p^l per layer, the deciles of the
/// eigenvalues of J^T J (J = prod_l (a I + D_l W_l), singular values by MathNet's SVD) and their mean.
/// </summary>
/// <remarks>
/// <para>
/// Tolerances. Deciles are compared by their level error G(sampled decile) - k/10, G the engine's CDF. Two effects:
/// (1) finite width: the per-draw level sd was measured over 8 seeds at N = 300 (ReLU and tanh, L = 5 and 20): at most
/// 0.0055, shrinking like N^-1/2 (the fluctuations of the empirical c_2^l); (2) finite depth: eq. 25 is the L -> inf
/// limit of prod_l S_l(m) = prod_l a^{-2}(1 - (c_2^l/(L a^2))(1 + 2m) + O(L^-2)), so the law at depth L differs by O(1/L)
/// (the exact finite-depth mean prod_l (a^2 + c_2^l/L) differs from a^{2L} e^{c/a^2} by c^2/(2L) in log). The measured
/// mean level bias was 0.022 at L = 5 and 0.008 at L = 20 (8 seeds, N = 300), both below 0.15/L. Tolerance:
/// 0.15/L + 4 x 0.0055 sqrt(300/N) / sqrt(draws).
/// </para>
/// <para>
/// Activations with a non-zero Gaussian mean (ReLU) give J one outlier eigenvalue, about 2-3 x p^L/q_0 (the direction
/// of the mean-field signal): it carries mass 1/N and is not part of the limiting law, but it dominates the sampled
/// mean (7.0 instead of 2.7 at L = 50, N = 500). Means are therefore compared after dropping eigenvalues above
/// 1.5 x the upper edge (the test asserts at most one is dropped); the per-draw sd of that trimmed mean relative to
/// the exact finite-depth mean was measured at 0.012 (tanh) and 0.020 (ReLU) at N = 300, L = 20.
/// </para>
/// </remarks>
[Trait("Category", "MonteCarlo")]
public sealed class ResidualMonteCarloTests
{
    private const double LevelSdAt300 = 0.0055;
    private const double MeanSdAt300 = 0.02;

    private readonly ITestOutputHelper _output;

    public ResidualMonteCarloTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, double, double, double> PropagationCases => new()
    {
        { "relu", 1.0, 2.0, 0 },
        { "tanh", 1.0, 1.0, 0 },
        { "gelu", 0.8, 1.5, 0.1 },
    };

    [Theory]
    [MemberData(nameof(PropagationCases))]
    public void SignalPropagation_MatchesRealResidualNetworks(string activation, double a, double sigma2, double bias)
    {
        // N = 500, L = 10, 4 draws (forward passes only). Per layer the draws' mean of sample/engine must be 1
        // within 4 sd of that mean (sd estimated from the draws, floored at the chi-square level sqrt(2/N)/sqrt(draws)).
        const int width = 500, depth = 10, draws = 4;
        var net = new ResidualArchitecture(depth, width, a, Activation.Parse(activation), sigma2, bias);
        var prop = ResidualSignalPropagation.Compute(net);
        var samples = Enumerable.Range(0, draws).Select(d => ResidualNetworkSample.Draw(net, 1000 + d, jacobian: false)).ToArray();
        for (int l = 0; l < depth; l++)
        {
            CheckRatio(samples.Select(s => s.Q[l] / prop.Q[l]).ToArray(), $"q^{l + 1}", width);
            CheckRatio(samples.Select(s => s.P[l] / prop.PostActivationSecondMoment[l]).ToArray(), $"p^{l + 1}", width);
        }

        CheckRatio(samples.Select(s => s.EffectiveCumulant / prop.EffectiveCumulant).ToArray(), "c", width);

        if (activation == "relu")
        {
            // The cross term 2 a mu^{l-1} E[phi] matters: without it p^L would be this far below the networks'.
            double p = net.InputVariance;
            for (int l = 0; l < depth; l++) p = ActivationMomentsSecond(net, p) + p;
            double sampled = samples.Average(s => s.P[^1]);
            _output.WriteLine($"relu p^L: networks {sampled:g5}, with cross term {prop.PostActivationSecondMoment[^1]:g5}, without {p:g5}");
            Assert.True(sampled / p > 1.3, "the recursion without the cross term should be rejected by the sampled networks");
        }
    }

    private static double ActivationMomentsSecond(ResidualArchitecture net, double p)
    {
        double q = net.WeightVariance / net.Depth * p + net.BiasVariance;
        return Diagnostics.Spectra.MeanField.ActivationMoments.SecondMoment(net.Activation, q);
    }

    private void CheckRatio(double[] ratios, string what, int width)
    {
        double mean = ratios.Average();
        double sd = Math.Sqrt(ratios.Select(r => (r - mean) * (r - mean)).Sum() / (ratios.Length - 1));
        double tolerance = 4 * Math.Max(sd, Math.Sqrt(2.0 / width)) / Math.Sqrt(ratios.Length);
        _output.WriteLine($"{what}: sample/engine {mean:0.0000} (sd {sd:0.0000}, tolerance {tolerance:0.0000})");
        Assert.InRange(mean - 1, -tolerance, tolerance);
    }

    [Theory]
    [InlineData("relu", 2.0, 20, 200, 2, 1.0)]
    [InlineData("tanh", 1.0, 20, 200, 2, 1.0)]
    [InlineData("tanh", 1.0, 20, 200, 2, 1.1)]
    [InlineData("relu", 1.0, 20, 200, 2, 0.8)]
    public void Deciles_MatchRealResidualNetworks(string activation, double sigma2, int depth, int width, int draws, double a) =>
        CompareWithNetworks(activation, sigma2, depth, width, draws, a);

    /// <summary>Tarnowski et al.'s Fig. 1 setting: L = 10, 20, 50 at N = 500, ReLU and tanh (about 20 s per draw at L = 50), and L = 100.</summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("relu", 2.0, 10, 500, 2)]
    [InlineData("relu", 2.0, 20, 500, 2)]
    [InlineData("relu", 2.0, 50, 500, 2)]
    [InlineData("relu", 2.0, 100, 500, 1)]
    [InlineData("tanh", 1.0, 10, 500, 2)]
    [InlineData("tanh", 1.0, 20, 500, 2)]
    [InlineData("tanh", 1.0, 50, 500, 2)]
    [InlineData("tanh", 1.0, 100, 500, 1)]
    public void Deciles_MatchRealResidualNetworks_Figure1Grid(string activation, double sigma2, int depth, int width, int draws) =>
        CompareWithNetworks(activation, sigma2, depth, width, draws);

    private void CompareWithNetworks(string activation, double sigma2, int depth, int width, int draws, double a = 1)
    {
        // a != 1 checks the scale a^{2L} and the shape parameter kappa = c/a^2.
        var net = new ResidualArchitecture(depth, width, a, Activation.Parse(activation), sigma2);
        var law = ResidualJacobianSpectrum.Compute(net);
        var samples = Enumerable.Range(0, draws).Select(d => ResidualNetworkSample.Draw(net, 2000 + 17 * depth + d)).ToArray();
        var pooled = samples.SelectMany(s => s.Eigenvalues).OrderBy(v => v).ToArray();
        double levelTolerance = 0.15 / depth + 4 * LevelSdAt300 * Math.Sqrt(300.0 / width) / Math.Sqrt(draws);
        _output.WriteLine($"{activation} a={a} sigma_W^2={sigma2} L={depth} N={width}, {draws} draws: c = {law.EffectiveCumulant:g5} "
            + $"(networks {samples.Average(s => s.EffectiveCumulant):g5}); level tolerance {levelTolerance:0.000}");
        double worstLevel = 0, worstLog = 0;
        for (int k = 1; k <= 9; k++)
        {
            double level = k / 10.0;
            double sampled = ResidualNetworkSample.Quantile(pooled, level);
            double engine = law.Quantile(level);
            double levelError = law.Cdf(sampled) - level;
            double logError = Math.Log(sampled / engine);
            worstLevel = Math.Max(worstLevel, Math.Abs(levelError));
            worstLog = Math.Max(worstLog, Math.Abs(logError));
            _output.WriteLine($"  q{k}0: networks {sampled:g5} engine {engine:g5}  ln ratio {logError:+0.000;-0.000}  level error {levelError:+0.0000;-0.0000}");
            Assert.InRange(levelError, -levelTolerance, levelTolerance);
        }

        // Mean of the bulk (outliers above 1.5 x the upper edge dropped; at most one per draw) against the exact
        // finite-depth mean prod_l (a^2 + c_2^l/L).
        double trimmed = samples.Average(s => s.TrimmedMean(1.5 * law.SupportUpper, out _));
        int dropped = samples.Max(s => { s.TrimmedMean(1.5 * law.SupportUpper, out int d); return d; });
        double meanTolerance = 4 * MeanSdAt300 * Math.Sqrt(300.0 / width) / Math.Sqrt(draws);
        _output.WriteLine($"  worst |level error| {worstLevel:0.0000}, worst |ln ratio| {worstLog:0.000}; bulk mean {trimmed:g5} vs finite-depth {law.FiniteDepthMean:g5} "
            + $"(large-L {law.Mean:g5}); outliers dropped per draw <= {dropped}; largest sampled {pooled[^1]:g4} vs edge {law.SupportUpper:g4}");
        Assert.InRange(dropped, 0, 1);
        Assert.InRange(trimmed / law.FiniteDepthMean - 1, -meanTolerance, meanTolerance);
    }
}
