using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Xunit;

namespace Diagnostics.Spectra.Tests.Laws;

/// <summary>
/// Pooling of nearly point-mass D^2 laws (<see cref="ConcentratedDerivativeLaws"/>): the two-atom law has the stated
/// moments, the moments of J^T J up to order 3 are those of the unpooled master equation (an independent series
/// computation over every layer), and the deciles agree with the unpooled law.
/// </summary>
public sealed class ConcentratedDerivativeLawsTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public ConcentratedDerivativeLawsTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    /// <summary>20 x Linear(256, 256) on TorchSharp's defaults (sigma_w^2 = 1/3, sigma_b^2 = 1/768), the last one linear.</summary>
    internal static NetworkArchitecture TorchDefaults(Activation phi, int depth = 20, int width = 256, WeightDistribution weights = WeightDistribution.Gaussian)
    {
        var layers = new Layer[depth];
        for (int l = 0; l < depth; l++) layers[l] = new Layer(l == depth - 1 ? Activation.Identity : phi, 1.0 / 3, 1.0 / (3 * width), weights);
        return new NetworkArchitecture(Enumerable.Repeat(width, depth + 1).ToArray(), layers);
    }

    [Theory]
    [InlineData(1e-4, 3e-7)]
    [InlineData(1e-3, -2e-5)]
    [InlineData(0.01, 0.0)]
    public void TwoPointLaw_HasTheGivenMeanVarianceAndThirdMoment(double variance, double third)
    {
        var law = ConcentratedDerivativeLaws.TwoPointLaw(2.5, variance, third)!;
        Assert.Equal(2, law.Values.Length);
        Assert.Equal(1.0, law.Masses.Sum(), 14);
        Assert.Equal(2.5, law.Mean, 13);
        ConcentratedDerivativeLaws.CentralMoments(law, out double v, out double k3);
        Assert.Equal(1.0, v / variance, 12);
        Assert.True(Math.Abs(k3 - third) <= 1e-12 * Math.Pow(variance, 1.5), $"third central moment {k3:g6}, expected {third:g6}");
    }

    [Fact]
    public void TanhOnTorchDefaults_PoolsTheConvergedLayers()
    {
        var network = TorchDefaults(Activation.Tanh);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        var pooled = ConcentratedDerivativeLaws.Pool(network, laws, new SpectrumOptions().ConcentratedLawVariance);
        int units = pooled.Count(l => ReferenceEquals(l, DerivativeLaw.UnitAtom));
        int replaced = Enumerable.Range(0, laws.Length).Count(l => !ReferenceEquals(pooled[l], laws[l]) && !ReferenceEquals(pooled[l], DerivativeLaw.UnitAtom));
        _output.WriteLine($"q: {string.Join(" ", propagation.Q.Select(q => q.ToString("g3")))}; unit atoms {units}, pooled law atoms {string.Join(" ", pooled.Where((l, i) => !ReferenceEquals(l, laws[i]) && !ReferenceEquals(l, DerivativeLaw.UnitAtom)).Select(l => l.Values.Length))}");
        // One pooled law for the square layers, the others of its group unit atoms; the product of the means is kept.
        Assert.Equal(1, replaced);
        Assert.True(units >= 12, $"{units} layers pooled");
        double product = 1, pooledProduct = 1;
        for (int l = 0; l < laws.Length; l++)
        {
            product *= laws[l].Mean;
            pooledProduct *= pooled[l].Mean;
        }

        Assert.Equal(1.0, pooledProduct / product, 13);
    }

    /// <summary>The free product of one law is that law: its Gauss rule of K points has the law's moments up to 2K - 1.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void GaussRuleOfOneLaw_HasItsMoments(int points)
    {
        var law = DerivativeLaw.For(Activation.Gelu, 0.05, 48);
        var rule = ConcentratedDerivativeLaws.GaussRuleOfFreeProduct(new[] { law }, points)!;
        Assert.Equal(points, rule.Values.Length);
        for (int k = 1; k < 2 * points; k++)
        {
            double expected = 0, actual = 0;
            for (int j = 0; j < law.Values.Length; j++) expected += law.Masses[j] * Math.Pow(law.Values[j] / law.Mean, k);
            for (int j = 0; j < rule.Values.Length; j++) actual += rule.Masses[j] * Math.Pow(rule.Values[j] / law.Mean, k);
            Assert.True(Math.Abs(actual / expected - 1) < 1e-10, $"moment {k}: rule {actual:R}, law {expected:R}");
        }
    }

    public static TheoryData<string, int> PooledCases => new()
    {
        { "tanh", 16 },
        { "tanh", 48 },
        { "sigmoid", 16 },
        { "gelu", 16 },
        { "silu", 16 },
        { "softplus", 16 },
    };

    /// <summary>
    /// The pooled law keeps at least the first three moments of the free product of the group, so the moments of J^T J up
    /// to order 3 (from the series of each master equation, every layer's law in the unpooled one) agree to round-off, and
    /// the fourth to sixth to 1e-6 (exactly too when the pooled law has 3 atoms or more). The deciles of the law, read on
    /// the unpooled CDF, sit within 1e-5 of their levels (measured at most 3.8e-6; the K = 16 discretisation itself moves
    /// them by up to 5e-3).
    /// </summary>
    [Theory]
    [MemberData(nameof(PooledCases))]
    public void PooledSpectrum_KeepsTheMomentsToOrderThreeAndTheDeciles(string name, int atoms)
    {
        var network = TorchDefaults(Activation.Parse(name));
        var pooled = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = atoms, GridPoints = 64, TailMass = 1e-2 });
        var full = JacobianSpectrum.Compute(network, new SpectrumOptions { SmoothActivationAtoms = atoms, GridPoints = 64, TailMass = 1e-2, ConcentratedLawVariance = 0 });
        for (int k = 0; k < 3; k++)
            Assert.True(Math.Abs(pooled.Moments[k] / full.Moments[k] - 1) < 1e-12, $"moment {k + 1}: pooled {pooled.Moments[k]:R}, full {full.Moments[k]:R}");
        double worstMoment = 0;
        for (int k = 3; k < pooled.Moments.Count; k++) worstMoment = Math.Max(worstMoment, Math.Abs(pooled.Moments[k] / full.Moments[k] - 1));
        double worstLevel = 0;
        foreach (var (level, q) in pooled.QuantilesNonZero()) worstLevel = Math.Max(worstLevel, Math.Abs(full.CdfNonZero(q) - level));
        _output.WriteLine($"{name}, K = {atoms}: moments 4-6 relative {worstMoment:g3}, decile level error {worstLevel:g3}, basin tests {pooled.Certifications} vs {full.Certifications}");
        Assert.True(worstMoment < 1e-6, $"moments 4-6 moved by {worstMoment:g3}");
        Assert.True(worstLevel < 1e-5, $"decile level error {worstLevel:g3}");
        // The point of it: no more unknowns than without pooling (fewer where several distinct layers are pooled).
        var laws = full.DerivativeLaws;
        int pooledDimension = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, ConcentratedDerivativeLaws.Pool(network, laws, new SpectrumOptions().ConcentratedLawVariance)).Dimension;
        int fullDimension = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, laws).Dimension;
        _output.WriteLine($"unknowns pooled {pooledDimension}, full {fullDimension}");
        Assert.True(pooledDimension <= fullDimension, $"unknowns pooled {pooledDimension}, full {fullDimension}");
        if (name == "tanh" || name == "gelu" || name == "silu") Assert.True(pooledDimension < fullDimension, $"unknowns pooled {pooledDimension}, full {fullDimension}");
    }

    [Fact]
    public void ZeroBudget_PoolsNothing()
    {
        var network = TorchDefaults(Activation.Tanh, depth: 6);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        Assert.Same(laws, ConcentratedDerivativeLaws.Pool(network, laws, 0));
    }
}

/// <summary>
/// Grouping of layers whose master-equation factors agree to <see cref="Diagnostics.Spectra.Inversion.MasterEquation.GroupingTolerance"/>
/// (1e-10): fewer unknowns, and the exact moments of J^T J (series of each master equation) agree with exact grouping.
/// </summary>
public sealed class NearlyIdenticalLayerGroupingTests
{
    [Theory]
    [InlineData("softplus")]
    [InlineData("gelu")]
    public void TorchDefaults_GroupsTheConvergedLayers_AndKeepsTheMoments(string name)
    {
        var phi = Activation.Parse(name);
        var layers = Enumerable.Range(0, 20).Select(l => new Layer(l == 19 ? Activation.Identity : phi, 1.0 / 3, 1.0 / 768)).ToArray();
        var network = new NetworkArchitecture(Enumerable.Repeat(256, 21).ToArray(), layers);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        var grouped = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, laws);
        var exact = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, laws, groupingTolerance: 0);
        Assert.True(grouped.Dimension <= exact.Dimension - 4, $"dimension {grouped.Dimension}, with exact grouping {exact.Dimension}");
        Assert.Equal(1.0, grouped.Mean / exact.Mean, 14);
        var m = Diagnostics.Spectra.Transforms.MomentSeries.NormalisedMoments(grouped, 6);
        var e = Diagnostics.Spectra.Transforms.MomentSeries.NormalisedMoments(exact, 6);
        for (int k = 0; k < 6; k++) Assert.True(Math.Abs(m[k] / e[k] - 1) < 1e-9, $"moment {k + 1}: {m[k]:R} vs {e[k]:R}");
    }

    /// <summary>
    /// The analyzer's tolerance (1e-4, <see cref="SpectrumOptions.LayerGroupingTolerance"/>): softplus on TorchSharp defaults
    /// (q_l converge to q* geometrically, consecutive layers within 3e-4 from layer 5) goes from 15 unknowns to 8,
    /// and the law's deciles move by under 1e-6 in level (measured 1.4e-7) against the default 1e-10.
    /// </summary>
    [Fact]
    public void AnalyzerTolerance_GroupsMoreLayers_AndKeepsTheDeciles()
    {
        var phi = Activation.Parse("softplus");
        var layers = Enumerable.Range(0, 20).Select(l => new Layer(l == 19 ? Activation.Identity : phi, 1.0 / 3, 1.0 / 768)).ToArray();
        var network = new NetworkArchitecture(Enumerable.Repeat(256, 21).ToArray(), layers);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        int fine = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, laws).Dimension;
        int coarse = Diagnostics.Spectra.Inversion.MasterEquation.Create(network, laws, groupingTolerance: 1e-4).Dimension;
        Assert.True(coarse <= fine - 5, $"unknowns {coarse} at 1e-4, {fine} at 1e-10");

        var options = new SpectrumOptions { GridPoints = 64, SmoothActivationAtoms = 16, TailMass = 1e-2 };
        var reference = JacobianSpectrum.Compute(network, options);
        options.LayerGroupingTolerance = 1e-4;
        var grouped = JacobianSpectrum.Compute(network, options);
        Assert.Equal(reference.Mean, grouped.Mean, 1e-14 * reference.Mean);
        for (int k = 1; k <= 9; k++)
        {
            double x = grouped.QuantileNonZero(k / 10.0);
            Assert.InRange(reference.CdfNonZero(x) - k / 10.0, -1e-6, 1e-6);
        }
    }

    [Theory]
    [InlineData(-1e-6)]
    [InlineData(0.02)]
    [InlineData(double.NaN)]
    public void GroupingToleranceOutsideItsRange_IsAClearError(double tolerance)
    {
        var network = NetworkArchitecture.Uniform(new[] { 100, 100, 100 }, Activation.Tanh, 1.5, 0);
        var error = Assert.Throws<InvalidArchitectureException>(() => JacobianSpectrum.Compute(network, new SpectrumOptions { LayerGroupingTolerance = tolerance }));
        Assert.Contains("grouping tolerance", error.Message);
    }
}
