using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// Fewer atoms inside each D^2 law (<see cref="ReducedDerivativeLaws"/>, <see cref="SpectrumOptions.AtomReductionVariance"/>):
/// each run's Gauss rule has the run's moments, the law keeps its mass, zero atom and first three moments, and the
/// spectrum its first three moments and its deciles; orthogonal layers are left alone.
/// </summary>
public sealed class ReducedDerivativeLawsTests
{
    /// <summary>The analyzer's engine options (SpectrumCache.Options in analyzers/, which this project does not reference).</summary>
    internal static SpectrumOptions AnalyzerOptions() => new SpectrumOptions { GridPoints = 64, SmoothActivationAtoms = 16, TailMass = 1e-2, LayerGroupingTolerance = 1e-4, AtomReductionVariance = 0.3, DistinctSmoothAtoms = true };

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public ReducedDerivativeLawsTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static double Moment(DerivativeLaw law, int k)
    {
        double sum = 0;
        for (int j = 0; j < law.Values.Length; j++) sum += law.Masses[j] * Math.Pow(law.Values[j], k);
        return sum;
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void GaussRuleOfARun_HasTheRunsMassAndMomentsToOrderTwoKMinusOne(int points)
    {
        // The middle 30 of GELU's 48 atoms at q = 0.05: a run that is not the whole law and does not carry mass 1.
        var law = DerivativeLaw.For(Activation.Gelu, 0.05, 48);
        int start = 9, end = 39;
        var values = new List<double>();
        var masses = new List<double>();
        Assert.True(ReducedDerivativeLaws.GaussRuleOfRun(law.Values, law.Masses, start, end, points, values, masses));
        Assert.Equal(points, values.Count);
        for (int k = 0; k < 2 * points; k++)
        {
            double expected = 0, actual = 0;
            for (int j = start; j < end; j++) expected += law.Masses[j] * Math.Pow(law.Values[j], k);
            for (int j = 0; j < points; j++) actual += masses[j] * Math.Pow(values[j], k);
            Assert.True(Math.Abs(actual / expected - 1) < 1e-11, $"moment {k}: rule {actual:R}, run {expected:R}");
        }

        for (int j = 0; j < points; j++) Assert.InRange(values[j], law.Values[start], law.Values[end - 1]);
    }

    public static TheoryData<string, double, int> Laws => new()
    {
        { "selu", 0.004, 16 },  // half on the exact atom lambda^2, half on 8 atoms within a few percent of lambda^2 alpha^2
        { "softplus", 0.19, 16 }, // TorchSharp's defaults: v about 0.2
        { "gelu", 0.05, 48 },
        { "tanh", 0.5, 48 },
    };

    [Fact]
    public void LawSpreadOverDecades_IsLeftAlone()
    {
        // Saturated tanh (q = 3): 24 live atoms from 3e-11 to 0.9, neighbours 15% or more apart; no run of them is
        // worth fewer atoms.
        var law = DerivativeLaw.For(Activation.Tanh, 3.0, 48);
        Assert.True(law.ZeroMass > 0);
        Assert.Null(ReducedDerivativeLaws.Of(law, 0.3));
    }

    [Theory]
    [MemberData(nameof(Laws))]
    public void ReducedLaw_HasFewerAtoms_TheSameZeroAtomAndMass_AndTheFirstThreeMoments(string name, double q, int atoms)
    {
        var law = DerivativeLaw.For(Activation.Parse(name), q, atoms);
        var reduced = ReducedDerivativeLaws.Of(law, 0.3);
        Assert.NotNull(reduced);
        _output.WriteLine($"{name} q = {q}: {law.Values.Length} atoms -> {reduced!.Values.Length}");
        Assert.True(reduced.Values.Length < law.Values.Length);
        Assert.False(reduced.IsExact);
        Assert.Equal(law.ZeroMass, reduced.ZeroMass);
        Assert.Equal(1.0, reduced.ZeroMass + reduced.Masses.Sum(), 13);
        for (int j = 1; j < reduced.Values.Length; j++) Assert.True(reduced.Values[j] > reduced.Values[j - 1]);
        for (int k = 1; k <= 3; k++)
            Assert.True(Math.Abs(Moment(reduced, k) / Moment(law, k) - 1) < 1e-12, $"moment {k}: {Moment(reduced, k):R} vs {Moment(law, k):R}");
    }

    [Theory]
    [InlineData("softplus", 0.19)]
    [InlineData("selu", 0.335)]
    [InlineData("gelu", 0.05)]
    public void SmallestAtom_IsKept(string name, double q)
    {
        // The lower edge of J^T J comes from it: merged into a run, saturated tanh's 1.7e-7 (mass 3e-10, below 4.1e-6)
        // went and a deep tanh network's lower edge fell to zero (sweep draw 200057).
        var law = DerivativeLaw.For(Activation.Parse(name), q, 16);
        var reduced = ReducedDerivativeLaws.Of(law, 0.3);
        Assert.NotNull(reduced);
        Assert.Equal(law.Values[0], reduced!.Values[0]);
        Assert.Equal(law.Masses[0], reduced.Masses[0]);
    }

    [Fact]
    public void SeluAtASmallQ_KeepsItsExactAtom()
    {
        // The h > 0 half is one atom (lambda^2, times the discretisation's mean correction) of mass 1/2: a run of one,
        // kept as it is.
        var law = DerivativeLaw.For(Activation.Selu, 0.004, 16);
        var reduced = ReducedDerivativeLaws.Of(law, 0.3)!;
        int half = Array.FindIndex(law.Masses, p => Math.Abs(p - 0.5) < 1e-12);
        Assert.True(half >= 0, string.Join(" ", law.Masses));
        Assert.Equal(1.0507009873554805 * 1.0507009873554805, law.Values[half], 0.01);
        int at = Array.IndexOf(reduced.Values, law.Values[half]);
        Assert.True(at >= 0, string.Join(" ", reduced.Values));
        Assert.Equal(0.5, reduced.Masses[at], 12);
        Assert.True(reduced.Values.Length <= 4, $"{reduced.Values.Length} atoms");
    }

    public static TheoryData<string> Activations => new() { "selu", "softplus", "gelu" };

    /// <summary>
    /// 20 x Linear(256) on TorchSharp's defaults with the analyzer's grid, K and tail mass (layers grouped at the engine's
    /// 1e-10, so that the reduced and the full equations group the same layers): the moments of J^T J up to order 3
    /// (from the master equation's series) agree to round-off and the deciles, read on the unreduced CDF, within 1e-4 of
    /// their levels (the K = 16 discretisation itself moves them by up to 5e-3).
    /// </summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void ReducedSpectrum_KeepsTheMomentsToOrderThreeAndTheDeciles(string name)
    {
        var network = ConcentratedDerivativeLawsTests.TorchDefaults(Activation.Parse(name));
        var options = new SpectrumOptions { SmoothActivationAtoms = 16, GridPoints = 64, TailMass = 1e-2 };
        var full = JacobianSpectrum.Compute(network, options);
        options.AtomReductionVariance = 0.3;
        var reduced = JacobianSpectrum.Compute(network, options);
        for (int k = 0; k < 3; k++)
            Assert.True(Math.Abs(reduced.Moments[k] / full.Moments[k] - 1) < 1e-11, $"moment {k + 1}: reduced {reduced.Moments[k]:R}, full {full.Moments[k]:R}");
        double worstLevel = 0;
        foreach (var (level, x) in reduced.QuantilesNonZero()) worstLevel = Math.Max(worstLevel, Math.Abs(full.CdfNonZero(x) - level));
        _output.WriteLine($"{name}: decile level error {worstLevel:g3}, basin tests {reduced.Certifications} vs {full.Certifications}");
        Assert.True(worstLevel < 1e-4, $"decile level error {worstLevel:g3}");
        Assert.Equal(full.Regime, reduced.Regime);
    }

    [Fact]
    public void OrthogonalLayers_KeepTheirLaws()
    {
        var network = ConcentratedDerivativeLawsTests.TorchDefaults(Activation.Selu, depth: 6, weights: WeightDistribution.Orthogonal);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        Assert.Same(laws, ReducedDerivativeLaws.Reduce(network, laws, 0.3, 1e-4));
        var gaussian = ConcentratedDerivativeLawsTests.TorchDefaults(Activation.Selu, depth: 6);
        Assert.NotSame(laws, ReducedDerivativeLaws.Reduce(gaussian, laws, 0.3, 1e-4));
        Assert.Same(laws, ReducedDerivativeLaws.Reduce(gaussian, laws, 0, 1e-4));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void BudgetOutsideItsRange_IsAClearError(double budget)
    {
        var network = NetworkArchitecture.Uniform(new[] { 100, 100, 100 }, Activation.Tanh, 1.5, 0);
        var error = Assert.Throws<InvalidArchitectureException>(() => JacobianSpectrum.Compute(network, new SpectrumOptions { AtomReductionVariance = budget }));
        Assert.Contains("atom-reduction variance", error.Message);
    }
}

/// <summary>
/// Pooling needs a Gaussian layer: with orthogonal weights throughout nothing smooths the pooled few-atom law, and the
/// free product with unit atoms is those few atoms.
/// </summary>
public sealed class OrthogonalPoolingTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public OrthogonalPoolingTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    [Fact]
    public void OrthogonalThroughout_PoolsNothing()
    {
        var layers = Enumerable.Range(0, 8).Select(l => new Layer(l == 7 ? Activation.Identity : Activation.Tanh, 1.0 / 3, 1.0 / 768, WeightDistribution.Orthogonal)).ToArray();
        var network = new NetworkArchitecture(Enumerable.Repeat(256, 9).ToArray(), layers);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        Assert.Same(laws, ConcentratedDerivativeLaws.Pool(network, laws, 0.3));
        // One Gaussian layer is enough for its Marchenko-Pastur factor to smooth the pooled law.
        layers[3] = new Layer(Activation.Tanh, 1.0 / 3, 1.0 / 768);
        Assert.NotSame(laws, ConcentratedDerivativeLaws.Pool(new NetworkArchitecture(Enumerable.Repeat(256, 9).ToArray(), layers), laws, 0.3));
    }

    /// <summary>
    /// 20 x 256 orthogonal sigmoid at sigma_w^2 = 1/3, sigma_b^2 = 1/768 with the analyzer's options: pooled, it was a
    /// typed exception (a density integrating to 2.1); now against 4 sampled networks of that width.
    /// </summary>
    [Fact]
    public void OrthogonalSigmoid_IsComputed_AndMatchesMonteCarlo()
    {
        var layers = Enumerable.Range(0, 20).Select(l => new Layer(l == 19 ? Activation.Identity : Activation.Sigmoid, 1.0 / 3, 1.0 / 768, WeightDistribution.Orthogonal)).ToArray();
        var network = new NetworkArchitecture(Enumerable.Repeat(256, 21).ToArray(), layers);
        var law = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = 16, GridPoints = 64, TailMass = 1e-2, LayerGroupingTolerance = 1e-4 });
        var comparison = SpectrumComparison.Compare("orthogonal sigmoid 20 x 256", law, RandomNetworkSampler.Sample(network, 4242, draws: 4));
        _output.WriteLine(comparison.Describe());
        foreach (var e in comparison.LevelErrors) Assert.InRange(e, -0.05, 0.05);
        Assert.InRange(comparison.MeanLogRatio, -0.05, 0.05);
    }
}

/// <summary>
/// <see cref="SpectrumOptions.DistinctSmoothAtoms"/>: tanh and sigmoid (phi'^2 even, so K Gauss-Hermite nodes give K/2
/// atoms) get 2K nodes, the other activations K.
/// </summary>
public sealed class DistinctSmoothAtomsTests
{
    [Fact]
    public void EvenDerivatives_GetTwiceTheNodes_OthersNot()
    {
        var options = new SpectrumOptions { SmoothActivationAtoms = 16, DistinctSmoothAtoms = true };
        Assert.Equal(32, options.NodesFor(Activation.Tanh));
        Assert.Equal(32, options.NodesFor(Activation.Sigmoid));
        Assert.Equal(16, options.NodesFor(Activation.Gelu));
        Assert.Equal(16, options.NodesFor(Activation.Selu));
        Assert.Equal(16, new SpectrumOptions { SmoothActivationAtoms = 16 }.NodesFor(Activation.Tanh));
        Assert.Equal(400, new SpectrumOptions { SmoothActivationAtoms = 300, DistinctSmoothAtoms = true }.NodesFor(Activation.Tanh));
        // 16 nodes pair up into 8 atoms for tanh at a moderate q; 32 nodes give 16.
        Assert.Equal(8, DerivativeLaw.For(Activation.Tanh, 0.3, 16).Values.Length);
        Assert.Equal(16, DerivativeLaw.For(Activation.Tanh, 0.3, options.NodesFor(Activation.Tanh)).Values.Length);
    }

    /// <summary>
    /// The Fisher chain takes the same option: lambda_max of 20 x 256 Gaussian tanh at sigma_w^2 = 2 (the FPT003 benchmark
    /// model) with K = 16 is 867.7, 1.2% below K = 96's 878.4; with 32 nodes 877.9.
    /// </summary>
    [Fact]
    public void FisherLargestEigenvalue_WithDistinctAtoms_IsCloseToTheFineDiscretisation()
    {
        var layers = Enumerable.Range(0, 20).Select(l => new Layer(l == 19 ? Activation.Identity : Activation.Tanh, 2.0, 1.0 / 768)).ToArray();
        var network = new NetworkArchitecture(Enumerable.Repeat(256, 21).ToArray(), layers);
        double fine = Diagnostics.Spectra.Fisher.FisherSpectrum.LargestEigenvalue(network, new Diagnostics.Spectra.Fisher.FisherOptions { SmoothActivationAtoms = 96 });
        double coarse = Diagnostics.Spectra.Fisher.FisherSpectrum.LargestEigenvalue(network, new Diagnostics.Spectra.Fisher.FisherOptions { SmoothActivationAtoms = 16 });
        double distinct = Diagnostics.Spectra.Fisher.FisherSpectrum.LargestEigenvalue(network, new Diagnostics.Spectra.Fisher.FisherOptions { SmoothActivationAtoms = 16, DistinctSmoothAtoms = true });
        Assert.True(Math.Abs(coarse / fine - 1) > 5e-3, $"16 nodes {coarse}, 96 nodes {fine}");
        Assert.True(Math.Abs(distinct / fine - 1) < 1e-3, $"32 nodes {distinct}, 96 nodes {fine}");
    }

    /// <summary>
    /// 20 x 256 Gaussian sigmoid at its critical gain (sigma_w^2 = 103, sigma_b^2 = 1/768), the analyzer's other options:
    /// with 16 nodes (8 atoms) the deciles sat 0.032 in level from K = 96; with 32 nodes within 0.005 (measured 5.1e-4).
    /// </summary>
    [Fact]
    public void CriticalSigmoid_MatchesTheFineDiscretisation()
    {
        double s = CriticalGain.AtFixedPoint(Activation.Sigmoid, 1.0 / 768);
        var network = NetworkArchitecture.Uniform(Enumerable.Repeat(256, 21).ToArray(), Activation.Sigmoid, s, 1.0 / 768, lastActivation: Activation.Identity);
        var reference = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = 96 });
        var options = ReducedDerivativeLawsTests.AnalyzerOptions();
        var law = JacobianSpectrum.Compute(network, options);
        double worst = 0;
        foreach (var (level, x) in law.QuantilesNonZero()) worst = Math.Max(worst, Math.Abs(reference.CdfNonZero(x) - level));
        Assert.True(worst < 0.005, $"decile level error {worst:g3}");
    }
}
