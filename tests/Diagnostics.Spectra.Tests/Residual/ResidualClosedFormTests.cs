using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Residual;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Residual;

/// <summary>
/// The residual engine against closed forms and exact identities: total mass 1, the mean a^{2L} e^{c/a^2} and the
/// Lagrange-inversion moments against the integrated density, eq. 25 satisfied by the returned G, the support edges,
/// the small-kappa (large a) semicircle limit, the signal-propagation recursion in closed-form cases and the
/// validity of the basin-test bound.
/// </summary>
public sealed class ResidualClosedFormTests
{
    private readonly ITestOutputHelper _output;

    public ResidualClosedFormTests(ITestOutputHelper output) => _output = output;

    private static ResidualArchitecture Net(Activation phi, double a = 1, int depth = 20, double sigma2 = 1, double bias = 0) =>
        new ResidualArchitecture(depth, 500, a, phi, sigma2, bias);

    public static TheoryData<string, double, double> Cases => new()
    {
        // activation, a, sigma_W^2: kappa from about 0.1 to 8.
        { "relu", 1, 2 },
        { "tanh", 1, 1 },
        { "relu", 0.5, 2 },
        { "identity", 1, 0.2 },
        { "gelu", 1.2, 1.5 },
        { "sigmoid", 0.8, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void IntegratedDensity_HasMassOneAndTheClosedFormMoments(string activation, double a, double sigma2)
    {
        var law = ResidualJacobianSpectrum.Compute(Net(Activation.Parse(activation), a, 20, sigma2), new SpectrumOptions { GridPoints = 400 });
        double scale = law.Scale;
        double kappa = law.Kappa;
        // Closed forms of the first two moments from S(m) = a^{-2L} exp(-kappa (1 + 2m)): mean e^kappa, second e^{2 kappa}(1 + 2 kappa).
        Assert.Equal(scale * Math.Exp(kappa), law.Mean, 12);
        Assert.Equal(1, law.Mean / (scale * Math.Exp(kappa)), 12);
        Assert.Equal(1, law.Moments[1] / (scale * scale * Math.Exp(2 * kappa) * (1 + 2 * kappa)), 12);

        // Mass and mean of the density integrated by the engine's midpoint rule (400 points clustered at the
        // square-root edges; the error shrinks like n^-2, measured at most 7e-7 for kappa = 4).
        _output.WriteLine($"{activation} a={a} s2={sigma2}: kappa={kappa:g6} mass-1={law.TotalMass - 1:e2} mean rel={law.DensityMean / law.Mean - 1:e2}");
        Assert.InRange(law.TotalMass - 1, -2e-6, 2e-6);
        Assert.InRange(law.DensityMean / law.Mean - 1, -5e-6, 5e-6);

        // Moments from the Laurent expansion of the solved G at infinity, m_k = (1/2 pi i) contour integral of z^k G(z) dz
        // on the circle |z| = 2 x upper edge (trapezoid rule, 64 nodes: error ~ 2^-64; G(conj z) = conj G(z) below
        // the axis). Independent of the closed form m_k = (e^{k kappa}/k) sum_j C(k,j)(2k kappa)^{k-1-j}/(k-1-j)!.
        double radius = 2 * law.SupportUpper;
        const int nodes = 64;
        var contour = new Complex[6];
        for (int j = 0; j < nodes; j++)
        {
            double theta = 2 * Math.PI * (j + 0.5) / nodes;
            var z = Complex.FromPolarCoordinates(radius, theta);
            Complex g = z.Imaginary > 0 ? law.StieltjesTransform(z) : Complex.Conjugate(law.StieltjesTransform(Complex.Conjugate(z)));
            Complex zk = z * z; // dz = i z dtheta, so the integrand of m_k is z^{k+1} G / (2 pi) dtheta
            for (int k = 0; k < 6; k++)
            {
                contour[k] += zk * g / nodes;
                zk *= z;
            }
        }

        for (int k = 0; k < 6; k++)
        {
            _output.WriteLine($"  m{k + 1}: contour {contour[k].Real:g12} closed form {law.Moments[k]:g12}");
            Assert.InRange(contour[k].Real / law.Moments[k] - 1, -1e-9, 1e-9);
        }

        Assert.Equal(0, law.AtomAtZero);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StieltjesTransform_SatisfiesEquation25(string activation, double a, double sigma2)
    {
        var law = ResidualJacobianSpectrum.Compute(Net(Activation.Parse(activation), a, 20, sigma2), new SpectrumOptions { GridPoints = 20 });
        double aL = law.Scale;
        double c = law.EffectiveCumulant;
        var random = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            // Points around the support, down to 1e-6 of its scale above the real axis.
            double x = law.SupportLower * 0.5 + random.NextDouble() * (law.SupportUpper * 1.5 - law.SupportLower * 0.5);
            double y = law.SupportUpper * Math.Pow(10, -6 * random.NextDouble());
            var z = new Complex(x, y);
            Complex g = law.StieltjesTransform(z);
            Complex lhs = aL * g;
            Complex rhs = (z * g - 1) * Complex.Exp(c / (a * a) * (1 - 2 * z * g));
            Assert.True(Complex.Abs(lhs - rhs) <= 1e-9 * (Complex.Abs(lhs) + Complex.Abs(rhs)), $"eq. 25 residual {Complex.Abs(lhs - rhs):e3} at z = {z}");
            Assert.True(g.Imaginary < 0, $"Im G = {g.Imaginary} >= 0 at z = {z}");
        }
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(1)]
    [InlineData(20)]
    public void SupportEdges_AreCriticalPointsAndTheDensityVanishesOutside(double kappa)
    {
        var eq = new ResidualMasterEquation(kappa);
        foreach (bool upper in new[] { true, false })
        {
            double m = eq.CriticalPoint(upper);
            // Central difference of the real branch zeta(m) vanishes at a critical point (relative 1e-6 with step 1e-5 |m|).
            double h = 1e-5 * Math.Abs(m);
            double slope = (eq.ZetaOf(m + h) - eq.ZetaOf(m - h)) / (2 * h);
            double curvatureScale = Math.Abs(eq.ZetaOf(m + h) + eq.ZetaOf(m - h) - 2 * eq.ZetaOf(m)) / (h * h) * h;
            Assert.True(Math.Abs(slope) <= 1e-3 * curvatureScale + 1e-9 * eq.ZetaOf(m), $"zeta'(m) = {slope} at m = {m}");
        }

        var lilypads = new AnalyticLilypads(eq);
        double lo = eq.LowerEdge, hi = eq.UpperEdge;
        Assert.True(lo > 0 && lo < Math.Exp(kappa) && Math.Exp(kappa) < hi);
        // Just outside the support, -Im G / pi at y = 1e-9 x is O(y): no density.
        foreach (double x in new[] { lo * (1 - 1e-3), hi * (1 + 1e-3) })
        {
            var zeta = new Complex(x, 1e-9 * x);
            Complex g = (1 + lilypads.SolveFromProxy(zeta)) / zeta;
            Assert.InRange(-g.Imaginary / Math.PI * x, 0, 1e-5);
        }

        // Just inside, it is clearly positive.
        foreach (double x in new[] { lo * (1 + 1e-2), hi * (1 - 1e-2) })
        {
            var zeta = new Complex(x, 1e-9 * x);
            Complex g = (1 + lilypads.SolveFromProxy(zeta)) / zeta;
            Assert.True(-g.Imaginary / Math.PI * x > 1e-4, $"density x rho = {-g.Imaginary / Math.PI * x} inside the support at {x}");
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(1)]
    [InlineData(8)]
    public void NormalisedLaw_IsInvariantUnderInversion(double kappa)
    {
        // zeta(-1 - m) = 1 / zeta(m) for zeta(m) = (1 + m) e^{kappa(1 + 2m)} / m, so M(1/zeta) = -1 - M(zeta): the law of
        // lambda / a^{2L} is invariant under lambda -> 1/lambda. Edges: lower x upper = 1 (exact); quantiles:
        // Q(p) Q(1 - p) = a^{4L}, to the accuracy of the grid CDF (400 points: measured below 1e-4 in log).
        var eq = new ResidualMasterEquation(kappa);
        Assert.Equal(1, eq.LowerEdge * eq.UpperEdge, 12);
        // a = 1, identity activation: c = sigma_W^2 = kappa.
        var law = ResidualJacobianSpectrum.Compute(new ResidualArchitecture(10, 100, 1, Activation.Identity, kappa), new SpectrumOptions { GridPoints = 400 });
        Assert.Equal(kappa, law.Kappa, 12);
        foreach (double p in new[] { 0.01, 0.1, 0.25, 0.4 })
        {
            double product = law.Quantile(p) * law.Quantile(1 - p);
            Assert.InRange(Math.Log(product), -1e-4, 1e-4);
        }

        Assert.InRange(Math.Log(law.Quantile(0.5)), -1e-4, 1e-4);
    }

    [Fact]
    public void LargeSkipScale_TendsToASemicircleOfVariance2Kappa()
    {
        // kappa = c/a^2 -> 0: the normalised law tends to delta_1 with variance 2 kappa e^{2 kappa}; expanding the
        // critical values of zeta(m) in eps = sqrt(2 kappa) gives the edges 1 +- 2 eps + 2 eps^2 +- (17/12) eps^3 + O(eps^4), a semicircle of
        // radius 2 eps to leading order. Identity activation: c = sigma_W^2 exactly, kappa = 1/900 (eps = 0.047).
        var law = ResidualJacobianSpectrum.Compute(Net(Activation.Identity, a: 30, depth: 10, sigma2: 1), new SpectrumOptions { GridPoints = 400 });
        double kappa = law.Kappa;
        double s = law.Scale;
        Assert.Equal(1.0 / 900, kappa, 14);
        double eps = Math.Sqrt(2 * kappa);
        double radius = 2 * eps;
        // O(eps^4) remainders: allow 2 eps^4 = 9.9e-6 (measured 0.86 eps^4 on the upper edge).
        double e3 = 17.0 / 12 * eps * eps * eps, e4 = 2 * eps * eps * eps * eps;
        Assert.InRange(law.SupportUpper / s - (1 + radius + 2 * eps * eps + e3), -e4, e4);
        Assert.InRange(law.SupportLower / s - (1 - radius + 2 * eps * eps - e3), -e4, e4);
        // Quartiles of the semicircle of radius R: centre -+ 0.4040 R.
        // (relative corrections O(eps) = 5%: allow 2 eps).
        Assert.InRange((law.Quantile(0.75) - law.Quantile(0.25)) / s / (2 * 0.40397 * radius) - 1, -2 * eps, 2 * eps);
    }

    [Theory]
    [InlineData(1e-14)]
    [InlineData(1e-8)]
    [InlineData(1e-4)]
    [InlineData(0.01)]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(150)]
    [InlineData(400)]
    [InlineData(600)]
    public void KappaSweep_MassAndMeanHoldAcrossTheRange(double kappa)
    {
        // Identity activation with a = 1: kappa = sigma_W^2. From a near point mass (support width 4 sqrt(2 kappa)) to a
        // law spanning 2 kappa / ln 10 decades; 400 points. The midpoint rule in the log variable loses accuracy as the
        // span grows: tolerances 1e-4 on mass and 1e-3 on the mean (measured values printed).
        var law = ResidualJacobianSpectrum.Compute(new ResidualArchitecture(10, 100, 1, Activation.Identity, kappa), new SpectrumOptions { GridPoints = 400 });
        _output.WriteLine($"kappa {kappa:g3}: support [{law.SupportLower:g4}, {law.SupportUpper:g4}], mass - 1 = {law.TotalMass - 1:e2}, "
            + $"mean rel = {law.DensityMean / law.Mean - 1:e2}, basin tests = {law.Certifications}");
        Assert.InRange(law.TotalMass - 1, -1e-4, 1e-4);
        Assert.InRange(law.DensityMean / law.Mean - 1, -1e-3, 1e-3);
    }

    [Fact]
    public void KappaBeyondTheRange_IsATypedFailure()
    {
        var net = new ResidualArchitecture(10, 100, 1, Activation.Identity, ResidualJacobianSpectrum.MaxKappa * 1.01);
        var ex = Assert.Throws<SpectralConvergenceException>(() => ResidualJacobianSpectrum.Compute(net));
        Assert.Contains("c/a^2", ex.Message);
        Assert.False(ResidualJacobianSpectrum.TryCompute(net, out _, out var error));
        Assert.Contains("c/a^2", error);
        Assert.Throws<InvalidArchitectureException>(() => new ResidualArchitecture(10, 100, 0, Activation.Relu, 2));
        Assert.Throws<InvalidArchitectureException>(() => new ResidualArchitecture(0, 100, 1, Activation.Relu, 2));
    }

    [Fact]
    public void IdentityActivation_SignalPropagationHasItsClosedForm()
    {
        // phi = identity: p^l = (a^2 + sigma^2/L) p^{l-1} + sigma_b^2, q^l = sigma^2/L p^{l-1} + sigma_b^2, c_2 = sigma^2.
        const double a = 0.9, s2 = 1.7, b2 = 0.3;
        const int depth = 12;
        var prop = ResidualSignalPropagation.Compute(new ResidualArchitecture(depth, 100, a, Activation.Identity, s2, b2, inputVariance: 2));
        double p = 2;
        for (int l = 0; l < depth; l++)
        {
            double q = s2 / depth * p + b2;
            p = (a * a + s2 / depth) * p + b2;
            Assert.Equal(q, prop.Q[l], 12);
            Assert.Equal(p, prop.PostActivationSecondMoment[l], 12);
            Assert.Equal(0, prop.PostActivationMean[l]);
            Assert.Equal(s2, prop.C2[l], 12);
        }

        Assert.Equal(s2, prop.EffectiveCumulant, 12);
        Assert.Equal(Math.Pow(a * a + s2 / depth, depth), prop.FiniteDepthMean, 10);
    }

    [Fact]
    public void Relu_EffectiveCumulantIsHalfTheWeightVariance_AndTheFiniteDepthMeanTendsToTheLimit()
    {
        double previousGap = double.PositiveInfinity;
        foreach (int depth in new[] { 10, 20, 50, 200, 1000 })
        {
            var law = ResidualJacobianSpectrum.Compute(Net(Activation.Relu, 1, depth, 2), new SpectrumOptions { GridPoints = 10 });
            Assert.Equal(1, law.EffectiveCumulant, 12);
            // prod (1 + 1/L) = (1 + 1/L)^L -> e, with e - (1 + 1/L)^L ~ e / (2L).
            double gap = law.Mean - law.FiniteDepthMean;
            Assert.Equal(Math.Pow(1 + 1.0 / depth, depth), law.FiniteDepthMean, 10);
            Assert.InRange(gap * 2 * depth / Math.E, 0.8, 1.05);
            Assert.True(gap < previousGap);
            previousGap = gap;
        }
    }

    [Fact]
    public void Relu_MeanRecursionKeepsTheCrossTerm()
    {
        // ReLU has E[phi] = sqrt(q / 2 pi) != 0: p^l = q^l/2 + 2 a mu^{l-1} sqrt(q^l/2pi) + a^2 p^{l-1}, mu^l = sqrt(q^l/2pi) + a mu^{l-1}.
        var prop = ResidualSignalPropagation.Compute(new ResidualArchitecture(5, 100, 1, Activation.Relu, 2));
        double p = 1, mu = 0;
        for (int l = 0; l < 5; l++)
        {
            double q = 2.0 / 5 * p;
            double e = Math.Sqrt(q / (2 * Math.PI));
            p = q / 2 + 2 * mu * e + p;
            mu = e + mu;
            Assert.Equal(q, prop.Q[l], 12);
            Assert.Equal(p, prop.PostActivationSecondMoment[l], 12);
            Assert.Equal(mu, prop.PostActivationMean[l], 12);
        }
    }

    [Fact]
    public void EveryKnownActivation_GivesALawWithMassOne()
    {
        foreach (var name in Activation.CanonicalNames)
        {
            var law = ResidualJacobianSpectrum.Compute(Net(Activation.Parse(name), 1, 10, 1.5, 0.1), new SpectrumOptions { GridPoints = 200 });
            _output.WriteLine($"{name}: c = {law.EffectiveCumulant:g6}, mass - 1 = {law.TotalMass - 1:e2}, mean rel = {law.DensityMean / law.Mean - 1:e2}, tests = {law.Certifications}");
            Assert.True(law.EffectiveCumulant > 0);
            Assert.InRange(law.TotalMass - 1, -1e-4, 1e-4);
            Assert.InRange(law.DensityMean / law.Mean - 1, -1e-4, 1e-4);
        }
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(1)]
    [InlineData(30)]
    public void BasinTestBound_DominatesTheSecondDerivativeOnItsDisc(double kappa)
    {
        // f''(w) = 4 kappa exp(kappa (1 + 2w)) (1 + kappa (1 + w)), evaluated at random points of random discs.
        var eq = new ResidualMasterEquation(kappa);
        var random = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            var centre = new Complex(4 * random.NextDouble() - 2, 4 * random.NextDouble() - 2);
            double radius = Math.Pow(10, -4 + 4 * random.NextDouble());
            double bound = eq.SecondDerivativeBound(Complex.Zero, centre, radius);
            for (int j = 0; j < 20; j++)
            {
                var w = centre + Complex.FromPolarCoordinates(radius * Math.Sqrt(random.NextDouble()), 2 * Math.PI * random.NextDouble());
                double exact = Complex.Abs(4 * kappa * Complex.Exp(kappa * (1 + 2 * w)) * (1 + kappa * (1 + w)));
                Assert.True(exact <= bound * (1 + 1e-12), $"|f''| = {exact} > K = {bound}");
            }
        }
    }

    [Fact]
    public void CertifiedRoot_SatisfiesTheEquation_AndTheTestRefusesFarStarts()
    {
        var eq = new ResidualMasterEquation(1);
        var lilypads = new AnalyticLilypads(eq);
        var zeta = new Complex(3, 0.01);
        Complex m = lilypads.SolveFromProxy(zeta);
        Assert.True(Complex.Abs(eq.Value(zeta, m)) < 1e-12 * Complex.Abs(zeta * m));
        Assert.True(lilypads.TryCertifiedSolve(zeta, m + 1e-6, out var again));
        Assert.True(Complex.Abs(again - m) < 1e-12);
        // A start at the solution at infinity is far from the root near the real axis: the test must refuse it.
        Assert.False(lilypads.TryCertifiedSolve(zeta, Complex.Zero, out _));
    }
}
