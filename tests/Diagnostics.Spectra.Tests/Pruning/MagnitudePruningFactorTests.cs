using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Integration;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// The magnitude-pruning variance factor t_N(k) = E[sum of the k largest of N chi-square(1)] / N and its limit
/// t(s) = (1 - s) + 2 tau phi(tau): closed forms, independent integration identities, sampled order statistics.
/// </summary>
public sealed class MagnitudePruningFactorTests
{
    private readonly ITestOutputHelper _output;

    public MagnitudePruningFactorTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void ZeroSparsity_GivesFactorOne()
    {
        Assert.Equal(1.0, MagnitudePruningFactor.Limit(0), 15);
        Assert.Equal(0.0, MagnitudePruningFactor.Threshold(0), 15);
        foreach (long n in new long[] { 1, 2, 7, 65536, 1 << 20 })
            Assert.Equal(1.0, MagnitudePruningFactor.Finite(n, n), 15);
        Assert.Equal(1.0, MagnitudePruningFactor.ForLayer(256, 512, 0), 15);
    }

    [Fact]
    public void TwoEntries_KeepTheLarger_MatchesClosedForm()
    {
        // E[max(Z1^2, Z2^2)] = (E[Z1^2 + Z2^2] + E|Z1^2 - Z2^2|) / 2 and Z1^2 - Z2^2 = 2 A B with A, B iid N(0, 1)
        // ((Z1 -+ Z2)/sqrt 2), E|2AB| = 4/pi: t_2(1) = (1 + 2/pi) / 2.
        Assert.Equal((1 + 2 / Math.PI) / 2, MagnitudePruningFactor.Finite(2, 1), 12);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void SmallN_EqualsSumOfOrderStatisticMeans(int n)
    {
        // Independent route: E[X_(r:N)] = int z^2 N!/((r-1)!(N-r)!) F^(r-1) (1-F)^(N-r) f dz, F(z) = erf(z / sqrt 2),
        // f = 2 phi, each integrated separately; t_N(k) = sum of the top k / N. Quadrature error ~1e-12.
        var means = new double[n + 1];
        for (int r = 1; r <= n; r++)
        {
            double c = SpecialFunctions.Factorial(n) / (SpecialFunctions.Factorial(r - 1) * SpecialFunctions.Factorial(n - r));
            int rr = r;
            means[r] = Integrate.GaussKronrod(z =>
            {
                double f = SpecialFunctions.Erf(z / Math.Sqrt(2));
                return z * z * c * Math.Pow(f, rr - 1) * Math.Pow(1 - f, n - rr) * 2 * Normal.PDF(0, 1, z);
            }, 0, 40, 1e-13, 20, 21);
        }

        Assert.Equal(n, means.Skip(1).Sum(), 9); // E[sum of all] = N
        for (int k = 1; k <= n; k++)
        {
            double expected = Enumerable.Range(n - k + 1, k).Sum(r => means[r]) / n;
            Assert.Equal(expected, MagnitudePruningFactor.Finite(n, k), 10);
        }
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(1000, 100)]
    [InlineData(100000, 50000)]
    public void Finite_EqualsBinomialRankIntegral(long n, long k)
    {
        // Independent route (the engine integrates E[T(B)], B ~ Beta(N - k, k)): by exchangeability
        // t_N(k) = int_0^inf z^2 2 phi(z) P(Bin(N - 1, P(|Z| > z)) <= k - 1) dz, the binomial CDF from MathNet's regularised
        // incomplete beta; integrated in z with breakpoints around the step. Agreement to 1e-9 relative.
        double tail = (double)k / n;
        double centre = Math.Sqrt(2) * SpecialFunctions.ErfcInv(tail);
        double width = Math.Sqrt(tail * (1 - tail) / n) / (2 * Normal.PDF(0, 1, centre));
        var cuts = new SortedSet<double> { 0, 40 };
        foreach (double m in new[] { -40.0, -10, -4, -1, 0, 1, 4, 10, 40 })
        {
            double p = centre + m * width;
            if (p > 0 && p < 40) cuts.Add(p);
        }

        double Integrand(double z)
        {
            double v = SpecialFunctions.Erfc(z / Math.Sqrt(2));
            double cdf = v < 0.5 ? 1 - SpecialFunctions.BetaRegularized(k, n - k, v) : SpecialFunctions.BetaRegularized(n - k, k, 1 - v);
            return z * z * 2 * Normal.PDF(0, 1, z) * cdf;
        }

        var points = cuts.ToArray();
        double expected = 0;
        for (int i = 0; i + 1 < points.Length; i++) expected += Integrate.GaussKronrod(Integrand, points[i], points[i + 1], 1e-11, 15, 21);
        double actual = MagnitudePruningFactor.Finite(n, k);
        _output.WriteLine($"N = {n}, k = {k}: t_N = {actual:R}, binomial rank integral = {expected:R}, limit = {MagnitudePruningFactor.Limit(1 - (double)k / n):R}");
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * expected, $"t_N = {actual:R} vs binomial rank integral {expected:R}");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void Limit_EqualsDirectQuadrature(double s)
    {
        // E[Z^2 1{|Z| > tau}] = 2 int_tau^inf z^2 phi(z) dz, and P(|Z| <= tau) = s.
        double tau = MagnitudePruningFactor.Threshold(s);
        Assert.Equal(s, SpecialFunctions.Erf(tau / Math.Sqrt(2)), 13);
        double direct = Integrate.GaussKronrod(z => 2 * z * z * Normal.PDF(0, 1, z), tau, 12, 1e-12, 15, 21); // 2 z^2 phi(z) < 1e-30 beyond 12
        Assert.Equal(direct, MagnitudePruningFactor.Limit(s), 11);
        Assert.True(MagnitudePruningFactor.Limit(s) > 1 - s); // the kept weights are the large ones
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Finite_ApproachesLimit_AtTheDerivedRate(double s)
    {
        // E[T(B)] = T(s) + T''(s) Var(B) / 2 + O(N^-2), T'' = -tau / phi(tau), Var(B) ~ s (1 - s) / N:
        // N (t_N - t) -> -tau s (1 - s) / (2 phi(tau)). Checked to 2% at N = 1e4 and 0.5% at N = 1e6 (O(1/N) relative).
        double tau = MagnitudePruningFactor.Threshold(s);
        double predicted = -tau * s * (1 - s) / (2 * Normal.PDF(0, 1, tau));
        foreach (var (n, tolerance) in new[] { (10_000L, 0.02), (1_000_000L, 0.005) })
        {
            long k = (long)Math.Round((1 - s) * n);
            double exactS = 1 - (double)k / n;
            double scaled = n * (MagnitudePruningFactor.Finite(n, k) - MagnitudePruningFactor.Limit(exactS));
            _output.WriteLine($"s = {s}, N = {n}: N (t_N - t) = {scaled:R}, predicted {predicted:R}");
            Assert.True(Math.Abs(scaled / predicted - 1) < tolerance, $"N (t_N - t) = {scaled} vs {predicted}");
        }
    }

    [Fact]
    public void Finite_IsIncreasingAndConcaveInKept()
    {
        // Increments N (t_N(k) - t_N(k-1)) = E[X_(N-k+1)] are positive and decreasing in k.
        const int n = 200;
        var t = Enumerable.Range(0, n + 1).Select(k => MagnitudePruningFactor.Finite(n, k)).ToArray();
        for (int k = 1; k <= n; k++)
        {
            Assert.True(t[k] > t[k - 1], $"not increasing at k = {k}");
            if (k >= 2) Assert.True(t[k] - t[k - 1] < t[k - 1] - t[k - 2] + 1e-12, $"not concave at k = {k}");
            Assert.True(t[k] >= (double)k / n - 1e-12, "the top k carry at least their share of the mean");
        }
    }

    [Fact]
    public void Finite_MatchesSampledOrderStatistics()
    {
        // 20000 sorted samples of N = 40 chi-square(1) values; standard error of the mean of (top-k sum) / N from the
        // sample; agreement within 4 standard errors for k = 4, 20, 36.
        const int n = 40, samples = 20000;
        var gaussian = new GaussianSource(7);
        var sums = new double[3][];
        int[] ks = { 4, 20, 36 };
        for (int j = 0; j < 3; j++) sums[j] = new double[samples];
        var x = new double[n];
        for (int i = 0; i < samples; i++)
        {
            for (int e = 0; e < n; e++)
            {
                double z = gaussian.Next();
                x[e] = z * z;
            }

            Array.Sort(x);
            for (int j = 0; j < 3; j++)
            {
                double s = 0;
                for (int e = n - ks[j]; e < n; e++) s += x[e];
                sums[j][i] = s / n;
            }
        }

        for (int j = 0; j < 3; j++)
        {
            double mean = sums[j].Average();
            double se = Math.Sqrt(sums[j].Sum(v => (v - mean) * (v - mean)) / (samples - 1) / samples);
            double exact = MagnitudePruningFactor.Finite(n, ks[j]);
            _output.WriteLine($"k = {ks[j]}: sampled {mean:F5} +- {se:F5}, exact {exact:F5}");
            Assert.True(Math.Abs(mean - exact) < 4 * se, $"k = {ks[j]}: sampled {mean} +- {se}, exact {exact}");
        }
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void SparsityOutsideUnitInterval_Throws(double s)
    {
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.Limit(s));
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.Threshold(s));
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.ForLayer(10, 10, s));
        Assert.Throws<InvalidArchitectureException>(() => new PruningSpecification(s));
    }

    [Fact]
    public void BadCounts_Throw()
    {
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.Finite(0, 0));
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.Finite(10, 11));
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.Finite(10, -1));
        Assert.Throws<InvalidArchitectureException>(() => MagnitudePruningFactor.ForLayer(2, 2, 0.9)); // keeps round(0.4) = 0
        Assert.Equal(0.0, MagnitudePruningFactor.Finite(10, 0));
    }
}
