using System.Diagnostics;
using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// The certified density solve of rational chains (single-atom D^2 laws): the disc-arithmetic bound of |z_L''| dominates
/// the sampled second derivative, certified roots solve the equation and match the Theorem 3.2 closed form at complex
/// points, starts that Newton sends to a non-physical root fail the basin test, and the number of basin tests is bounded.
/// </summary>
public class FisherCertificateTests(ITestOutputHelper output)
{
    private static NetworkArchitecture Square(int depth, Activation phi, double sw, WeightDistribution init, double sb = 0) =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(100, depth + 1).ToArray(), phi, sw, sb, init, Activation.Identity);

    private static NetworkArchitecture Net(string name) => name switch
    {
        "relu-orth-3" => Square(3, Activation.Relu, 2, WeightDistribution.Orthogonal),
        "relu-gauss-6" => Square(6, Activation.Relu, 2, WeightDistribution.Gaussian, 0.1),
        "hardtanh-orth-4" => Square(4, Activation.HardTanh, 1.5, WeightDistribution.Orthogonal),
        "identity-gauss-4" => Square(4, Activation.Identity, 1.2, WeightDistribution.Gaussian),
        "relu-rect" => NetworkArchitecture.Uniform(new[] { 200, 400, 100, 300, 50 }, Activation.Relu, 2, 0.1, WeightDistribution.Orthogonal, Activation.Identity),
        "relu-gauss-20" => Square(20, Activation.Relu, 2, WeightDistribution.Gaussian),
        "relu-orth-20" => Square(20, Activation.Relu, 2, WeightDistribution.Orthogonal),
        "tanh-gauss-3" => Square(3, Activation.Tanh, 1.5, WeightDistribution.Gaussian, 0.1),
        "tanh-orth-4" => Square(4, Activation.Tanh, 1.3, WeightDistribution.Orthogonal),
        _ => throw new ArgumentException(name),
    };

    private static (FisherLayerChain Chain, double LambdaMax) Chain(NetworkArchitecture net, int atoms = 48)
    {
        var chain = FisherLayerChain.Build(net, atoms);
        return (chain, FisherSpectrum.UpperEdge(chain, new FisherOptions()));
    }

    /// <summary>z_L''(m) by a central difference of the analytic z_L' (step 1e-5 |m|: truncation ~1e-10 relative).</summary>
    private static Complex SecondDerivative(FisherLayerChain chain, Complex m, ChainState? warm = null)
    {
        double d = 1e-5 * Complex.Abs(m);
        var st = warm?.Clone() ?? new ChainState(chain.Levels.Count);
        Assert.True(chain.Evaluate(m + d, st, out _, out var dp, out _));
        Assert.True(chain.Evaluate(m - d, st, out _, out var dm, out _));
        return (dp - dm) / (2 * d);
    }

    [Theory]
    [InlineData("relu-orth-3")]
    [InlineData("relu-gauss-6")]
    [InlineData("hardtanh-orth-4")]
    [InlineData("identity-gauss-4")]
    [InlineData("relu-rect")]
    [InlineData("tanh-gauss-3")]
    [InlineData("tanh-orth-4")]
    public void SecondDerivativeBound_DominatesSampledValues_AndIsTightAtRadiusZero(string name)
    {
        bool smooth = name.StartsWith("tanh");
        var (chain, lambdaMax) = Chain(Net(name), smooth ? 12 : 48);
        Assert.Equal(!smooth, FisherCertificate.IsRational(chain));
        // Points to test the bound at: any m0 will do, so the checked continuation finds them for smooth chains.
        var solver = new FisherSpectrum.GridSolver(chain, new FisherOptions(), lambdaMax);
        int finite = 0;
        foreach (double fraction in new[] { 0.3, 0.6, 0.95, 1.3 })
        {
            foreach (double height in new[] { 1e-3, 0.1 })
            {
                solver.Solve(fraction * lambdaMax, height * lambdaMax);
                var m0 = solver.LastM;
                // Radius 0: the disc jet is the exact point jet (up to the 2e-15 padding), so K equals |z_L''(m0)|; the
                // central difference is accurate to ~1e-8 relative.
                var warm = solver.LastState!;
                double k0 = FisherCertificate.SecondDerivativeBound(chain, m0, 0, warm.Clone());
                double exact = Complex.Abs(SecondDerivative(chain, m0, warm));
                Assert.InRange(k0, exact * (1 - 1e-6), exact * (1 + 1e-6));
                foreach (double radius in new[] { 1e-3, 1e-2, 1e-1 })
                {
                    double r = radius * Complex.Abs(m0);
                    double k = FisherCertificate.SecondDerivativeBound(chain, m0, r, warm.Clone());
                    if (double.IsInfinity(k)) continue; // a pole meets the disc: the test fails safe
                    finite++;
                    double sampled = 0;
                    for (int ring = 1; ring <= 3; ring++)
                    {
                        for (int a = 0; a < 24; a++)
                        {
                            var m = m0 + Complex.FromPolarCoordinates(r * ring / 3, 2 * Math.PI * a / 24);
                            sampled = Math.Max(sampled, Complex.Abs(SecondDerivative(chain, m, warm)));
                        }
                    }

                    // The bound is rigorous: it must dominate every sampled value (central-difference error 1e-8 relative).
                    Assert.True(sampled <= k * (1 + 1e-6), $"{name}: sampled |z''| {sampled:g6} above the bound {k:g6} on the disc of radius {r:g3} around {m0}");
                    if (radius == 1e-2) output.WriteLine($"{name} x = {fraction} lmax, y = {height} lmax, R = 1e-2 |m0|: bound / sampled max = {k / sampled:f3}");
                }
            }
        }

        Assert.True(finite > 0);
    }

    [Fact]
    public void CertifiedRoots_SolveTheEquation_AndMatchTheorem32ClosedForm()
    {
        // Theorem 3.2 (ReLU, sigma_w^2 = 2, square orthogonal, two hidden layers): mu = delta_1/2 + (arcsine on [3, 7])/2, so
        // G(z) = 0.5/(z - 1) + 0.5/(sqrt(z - 3) sqrt(z - 7)) (principal roots: the product ~ z at infinity).
        var (chain, lambdaMax) = Chain(Net("relu-orth-3"));
        var solver = new FisherSpectrum.GridSolver(chain, new FisherOptions(), lambdaMax);
        int certified = 0, total = 0;
        foreach (double y in new[] { 7e-8, 1e-4, 0.3 })
        {
            foreach (double x in new[] { 0.5, 2, 3.2, 4, 5, 6, 6.9, 8, 12 })
            {
                var target = new Complex(x, y);
                int before = solver.UncertifiedPoints;
                var g = solver.Solve(x, y);
                bool isCertified = solver.UncertifiedPoints == before;
                total++;
                if (isCertified) certified++;
                Assert.Equal(y, solver.LastReached);
                Assert.True(chain.Evaluate(solver.LastM, new ChainState(chain.Levels.Count), out var z, out _, out var g2));
                // Certified: Newton stops at 1e-13 relative in m_1 and |z_L'| |m_1| is O(lambda_max) away from the edges.
                // Checked fallback: Newton stops at |z - target| <= 1e-3 y.
                double residual = isCertified ? 1e-10 * lambdaMax : 1e-3 * y + 1e-12 * lambdaMax;
                Assert.True(Complex.Abs(z - target) <= residual, $"residual {Complex.Abs(z - target):g3} at {target} (certified: {isCertified})");
                Assert.True(Complex.Abs(g - g2) <= 1e-10 * Complex.Abs(g));
                var exact = 0.5 / (target - 1) + 0.5 / (Complex.Sqrt(target - 3) * Complex.Sqrt(target - 7));
                // Certified: G at 1e-13 relative error in m_1, amplified by at most |G'/G| |dz|, well inside 1e-7. Checked: a
                // residual of 1e-3 y moves G by up to |G'| 1e-3 y <= 1e-3 |G| (|G'| <= |G|/y for a Stieltjes transform with
                // Im G ~ |G|), hence 2e-3.
                double tolerance = isCertified ? 1e-7 : 2e-3;
                Assert.True(Complex.Abs(g - exact) <= tolerance * Complex.Abs(exact), $"G({target}) = {g} vs closed form {exact} (certified: {isCertified})");
            }
        }

        output.WriteLine($"{certified} of {total} points certified");
        Assert.True(certified >= 20, $"only {certified} of {total} points certified");
    }

    [Theory]
    [InlineData("relu-orth-3", 0.7, 0.05)]
    [InlineData("relu-gauss-6", 0.5, 0.05)]
    [InlineData("hardtanh-orth-4", 0.5, 0.05)]
    public void BasinTest_RejectsStartsThatNewtonSendsToANonPhysicalRoot(string name, double fraction, double height)
    {
        var (chain, lambdaMax) = Chain(Net(name));
        var target = new Complex(fraction * lambdaMax, height * lambdaMax);
        var solver = new FisherSpectrum.GridSolver(chain, new FisherOptions(), lambdaMax);
        solver.Solve(target.Real, target.Imaginary);
        var physical = solver.LastM;
        double scale = Complex.Abs(physical);
        int wrong = 0, rejected = 0, certifiedPhysical = 0;
        // Starts on 16 rays at distances 1e-4 .. 3 |m_phys| from the physical root.
        foreach (double distance in new[] { 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.2, 0.4, 0.7, 1, 1.5, 2, 3 })
        {
            for (int ray = 0; ray < 16; ray++)
            {
                var start = physical + Complex.FromPolarCoordinates(distance * scale, 2 * Math.PI * (ray + 0.5) / 16);
                // Plain Newton (no safeguard) from this start.
                var m = start;
                var st = new ChainState(chain.Levels.Count);
                bool converged = false;
                for (int it = 0; it < 100; it++)
                {
                    if (!chain.Evaluate(m, st, out var z, out var dz, out _) || dz == Complex.Zero) break;
                    var step = (z - target) / dz;
                    m -= step;
                    if (Complex.Abs(step) <= 1e-14 * Complex.Abs(m))
                    {
                        converged = true;
                        break;
                    }
                }

                bool passes = FisherCertificate.TryCertifiedNewton(chain, target, start, new ChainState(chain.Levels.Count), 40, out var root, out _);
                if (passes)
                {
                    // A certified root is the physical one (the only root on the physical branch).
                    Assert.True(Complex.Abs(root - physical) <= 1e-10 * scale, $"{name}: start {start} certified {root}, physical {physical}");
                    certifiedPhysical++;
                }

                if (!converged || !chain.Evaluate(m, st, out var zr, out _, out _) || Complex.Abs(zr - target) > 1e-8 * lambdaMax) continue;
                if (Complex.Abs(m - physical) <= 1e-6 * scale) continue;
                // Newton from here lands on another root of z_L(m_1) = target: the basin test must not accept this start.
                wrong++;
                if (!passes) rejected++;
            }
        }

        output.WriteLine($"{name}: {wrong} of 192 starts converge to a non-physical root, {rejected} rejected; {certifiedPhysical} starts certified (all on the physical root)");
        Assert.True(wrong > 0, "no start converged to a non-physical root: the test has nothing to reject");
        Assert.Equal(wrong, rejected);
        Assert.True(certifiedPhysical > 0);
    }

    [Theory]
    [InlineData("relu-orth-3")]
    [InlineData("relu-gauss-6")]
    [InlineData("hardtanh-orth-4")]
    [InlineData("relu-rect")]
    public void CertifiedDensity_AgreesWithCheckedContinuation_WithBoundedBasinTests(string name) => CompareWithChecked(name);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("relu-gauss-20")]
    [InlineData("relu-orth-20")]
    public void CertifiedDensity_Depth20_AgreesWithCheckedContinuation(string name) => CompareWithChecked(name);

    private void CompareWithChecked(string name)
    {
        var net = Net(name);
        var sw = Stopwatch.StartNew();
        var certified = FisherSpectrum.Compute(net);
        double certifiedMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var checkedLaw = FisherSpectrum.Compute(net, new FisherOptions { CertifyDensity = false });
        double checkedMs = sw.Elapsed.TotalMilliseconds;
        Assert.True(certified.DensityCertified);
        Assert.False(checkedLaw.DensityCertified);
        // Density calls: 64 coarse + <= 2 x 60 bisection + 400 grid points; each may retry at 2y.
        int calls = 64 + 2 * 60 * 2 + 400;
        double perCall = (double)certified.BasinTests / calls;
        output.WriteLine($"{name}: {certified.BasinTests} basin tests (<= {perCall:f1} per density call), {certified.UncertifiedPoints} grid points and {certified.EdgeSearchUncertifiedPoints} edge-search points finished by the checked continuation, certified {certifiedMs:f0} ms, checked {checkedMs:f0} ms, mass {certified.TotalMass:g8} vs {checkedLaw.TotalMass:g8}");
        Assert.True(certified.BasinTests <= 100L * calls, $"{certified.BasinTests} basin tests");
        // The checked Newton stops at |z - target| <= 1e-3 y (y = 1e-8 lambda_max): densities agree to ~1e-6 relative
        // where the density is not tiny.
        // Same grid when the edge searches agree (they use the same densities): compare point by point.
        Assert.Equal(checkedLaw.Grid.Count, certified.Grid.Count);
        double peak = certified.Density.Max();
        int compared = 0;
        for (int k = 0; k < certified.Grid.Count; k++)
        {
            if (Math.Abs(certified.Grid[k] - checkedLaw.Grid[k]) > 1e-9 * certified.LambdaMax) continue;
            if (certified.Density[k] < 1e-3 * peak) continue;
            compared++;
            Assert.True(Math.Abs(certified.Density[k] - checkedLaw.Density[k]) <= 1e-5 * certified.Density[k],
                $"{name}: density at {certified.Grid[k]:g8}: certified {certified.Density[k]:g10} vs checked {checkedLaw.Density[k]:g10}");
        }

        output.WriteLine($"{compared} grid points compared");
        foreach (var level in new[] { 0.1, 0.3, 0.5, 0.7, 0.9 })
            Assert.Equal(checkedLaw.Quantile(level), certified.Quantile(level), 1e-6 * certified.LambdaMax);
        Assert.Equal(checkedLaw.TotalMass, certified.TotalMass, 1e-5);
    }

    [Fact]
    public void SmoothActivation_OptInCertificate_Depth3() => SmoothOptIn(WeightDistribution.Gaussian, 3);

    [Fact]
    [Trait("Category", "Slow")]
    public void SmoothActivation_OptInCertificate_Depth6() => SmoothOptIn(WeightDistribution.Gaussian, 6);

    private void SmoothOptIn(WeightDistribution init, int depth)
    {
        // Inner roots enclosed by the Krawczyk test (12 Gauss-Hermite atoms to keep the test short).
        var net = Square(depth, Activation.Tanh, 1.5, init, 0.1);
        var options = new FisherOptions { SmoothActivationAtoms = 12, GridPoints = 100, CertifySmoothDensity = true };
        var sw = Stopwatch.StartNew();
        var certified = FisherSpectrum.Compute(net, options);
        double ms = sw.Elapsed.TotalMilliseconds;
        var checkedLaw = FisherSpectrum.Compute(net, new FisherOptions { SmoothActivationAtoms = 12, GridPoints = 100 });
        output.WriteLine($"tanh {init} depth {depth}: {certified.BasinTests} basin tests, {certified.UncertifiedPoints} + {certified.EdgeSearchUncertifiedPoints} checked fallbacks, {ms:f0} ms; mass {certified.TotalMass:g8} vs {checkedLaw.TotalMass:g8}");
        Assert.True(certified.DensityCertified);
        Assert.False(checkedLaw.DensityCertified);
        Assert.True(certified.UncertifiedPoints <= certified.Grid.Count / 10, $"{certified.UncertifiedPoints} grid points not certified");
        double peak = certified.Density.Max();
        for (int k = 0; k < certified.Grid.Count; k++)
        {
            if (Math.Abs(certified.Grid[k] - checkedLaw.Grid[k]) > 1e-9 * certified.LambdaMax || certified.Density[k] < 1e-3 * peak) continue;
            // The checked Newton stops at |z - target| <= 1e-3 y: 1e-5 relative where the density is not tiny (as above).
            Assert.True(Math.Abs(certified.Density[k] - checkedLaw.Density[k]) <= 1e-5 * certified.Density[k],
                $"density at {certified.Grid[k]:g8}: certified {certified.Density[k]:g10} vs checked {checkedLaw.Density[k]:g10}");
        }

        Assert.Equal(checkedLaw.TotalMass, certified.TotalMass, 1e-5);
    }

    [Fact]
    public void SmoothActivation_UsesTheCheckedPath()
    {
        var law = FisherSpectrum.Compute(Square(4, Activation.Tanh, 1.5, WeightDistribution.Gaussian), new FisherOptions { GridPoints = 40 });
        Assert.False(law.DensityCertified);
        Assert.Equal(0, law.BasinTests);
    }
}

