using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Diagnostics.Spectra.Tests.Laws;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Inversion;

/// <summary>
/// Chained lilypad walks (from one solved point to the next along the real axis): across decades they step in log zeta,
/// and they take the direction of their predictor from the walk before them. Neither may change the root reached, only
/// the number of basin tests spent reaching it.
/// </summary>
public sealed class ChainedWalkTests
{
    private readonly ITestOutputHelper _output;

    public ChainedWalkTests(ITestOutputHelper output) => _output = output;

    /// <summary>Square Gaussian networks (hard edge at zero) with several distinct smooth D^2 laws: a multivariate equation.</summary>
    private static MasterEquation Equation(string activation, int depth)
    {
        var network = ConcentratedDerivativeLawsTests.TorchDefaults(Activation.Parse(activation), depth, 256);
        var propagation = SignalPropagation.Compute(network);
        var laws = Enumerable.Range(0, network.Depth).Select(l => DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], 16)).ToArray();
        var equation = MasterEquation.Create(network, laws);
        Assert.False(equation.IsRational);
        return equation;
    }

    private static double RelativeDistance(Complex[] a, Complex[] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Complex.Abs(a[i] - b[i]) / Math.Max(Complex.Abs(b[i]), 1e-300));
        return worst;
    }

    [Theory]
    [InlineData("selu", 6)]
    [InlineData("tanh", 8)]
    [InlineData("gelu", 5)]
    public void WalkDownDecades_ReachesTheRootOfAFreshProxy_WithFewerBasinTestsInLogZeta(string activation, int depth)
    {
        var equation = Equation(activation, depth);
        var start = new Complex(1e-2, 1e-9);
        var target = start * 1e-24; // same ray: the hard-edge probes' relative Im z
        var results = new Dictionary<bool, (Complex[] root, long tests)>();
        foreach (bool logSteps in new[] { false, true })
        {
            var lilypads = new NewtonLilypads(equation) { StepInLogZeta = logSteps };
            var atStart = new Complex[equation.Dimension];
            lilypads.SolveFromProxy(start, atStart);
            long before = lilypads.Certifications;
            var root = new Complex[equation.Dimension];
            lilypads.SolveFrom(start, atStart, target, root);
            results[logSteps] = (root, lilypads.Certifications - before);
        }

        var fresh = new Complex[equation.Dimension];
        new NewtonLilypads(equation).SolveFromProxy(target, fresh);
        _output.WriteLine($"{activation} depth {depth}: basin tests linear {results[false].tests}, log {results[true].tests}; "
            + $"distance to the fresh root {RelativeDistance(results[true].root, fresh):g3} / {RelativeDistance(results[false].root, fresh):g3}");
        Assert.True(RelativeDistance(results[true].root, fresh) < 1e-9);
        Assert.True(RelativeDistance(results[false].root, fresh) < 1e-9);
        Assert.True(results[true].tests < results[false].tests, $"log steps {results[true].tests} vs linear {results[false].tests}");
    }

    /// <summary>
    /// Chains the grid x = first, first ratio, ... above last (Im zeta = 1e-7 x) on <paramref name="equation"/>, from a
    /// proxy at <paramref name="start"/>, and asserts that every point is the root a proxy walk on
    /// <paramref name="proxyEquation"/>() reaches. Returns the points, the chained basin tests and the largest distance.
    /// </summary>
    private static (int Points, long Tests, double Worst) ChainAgainstProxies(MasterEquation equation, Func<MasterEquation> proxyEquation,
        Complex start, double first, double ratio, double last)
    {
        var lilypads = new NewtonLilypads(equation);
        var previous = new Complex[equation.Dimension];
        var next = new Complex[equation.Dimension];
        var fresh = new Complex[equation.Dimension];
        Complex here = start;
        lilypads.SolveFromProxy(here, previous);
        long before = lilypads.Certifications;
        int points = 0;
        double worst = 0;
        for (double x = first; x > last; x *= ratio, points++)
        {
            var zeta = new Complex(x, 1e-7 * x);
            lilypads.SolveFrom(here, previous, zeta, next);
            new NewtonLilypads(proxyEquation()).SolveFromProxy(zeta, fresh);
            worst = Math.Max(worst, RelativeDistance(next, fresh));
            Assert.True(RelativeDistance(next, fresh) < 1e-9, $"x = {x}: {RelativeDistance(next, fresh):g3}");
            Array.Copy(next, previous, next.Length);
            here = zeta;
        }

        return (points, lilypads.Certifications - before, worst);
    }

    [Fact]
    public void GridAfterAWalk_ReachesTheSameRootsAsFreshProxies()
    {
        var equation = Equation("softplus", 6);
        var (points, tests, _) = ChainAgainstProxies(equation, () => equation, new Complex(2, 2e-7), 1.9, 0.9, 1e-3);
        _output.WriteLine($"{points} points, {tests} basin tests");
    }

    /// <summary>
    /// The reduced basin test starts its search for each layer's disc one size above the disc that layer had in the test
    /// before, so a long-used equation object tests from other discs than a new one. The roots must not depend on it: a
    /// 59-point chained grid on one equation object against proxies solved on a new object at every point.
    /// </summary>
    [Fact]
    public void GridOnAWarmEquation_ReachesTheRootsOfNewEquations()
    {
        var (points, tests, worst) = ChainAgainstProxies(Equation("tanh", 8), () => Equation("tanh", 8), new Complex(3, 3e-7), 2.7, 0.84, 1e-4);
        _output.WriteLine($"{points} points, largest relative distance {worst:g3}, {tests} basin tests on the warm equation");
    }

    /// <summary>
    /// 20 x Linear(256) SELU on TorchSharp's defaults under the analyzer's options: 19 distinct layers, a hard edge at
    /// zero probed down 48 decades, then 64 grid points. Before the chained walks kept their predictor and stepped in
    /// log zeta this took 975 basin tests (the 20 ms cold target failed on it: 29 ms); 196 after, 170 since the plain
    /// start is no longer tried after a failed predicted start.
    /// </summary>
    [Fact]
    public void SeluOnTorchDefaults_ChainsItsGridInAboutOneBasinTestPerPoint()
    {
        var network = ConcentratedDerivativeLawsTests.TorchDefaults(Activation.Parse("selu"));
        var options = ReducedDerivativeLawsTests.AnalyzerOptions();
        var law = JacobianSpectrum.Compute(network, options);
        _output.WriteLine($"basin tests {law.Certifications}");
        Assert.True(law.Certifications < 400, $"{law.Certifications} basin tests");
    }
}
