using System;
using System.Globalization;
using MathNet.Numerics;
using MathNet.Numerics.Integration;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// The fraction t of the variance of a Gaussian weight matrix that survives magnitude pruning: keeping the k
    /// largest |w| of N iid N(0, v) entries leaves sum-of-squares t N v in expectation, with
    /// t_N(k) = E[sum of the k largest of N iid chi-square(1) values] / N, and in the limit of a fixed kept fraction
    /// 1 - s = k / N, t = E[Z^2 1{|Z| &gt; tau}] = (1 - s) + 2 tau phi(tau) with tau = sqrt(2) erfinv(s).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Dadoun, Hayou, Salam, Seddik and Youssef (2025), "On the stability of the Jacobian matrix in deep neural networks",
    /// Theorem 6 (score-based pruning): a magnitude-pruned layer is stable after rescaling its kept weights by a factor
    /// that is an expectation over the order statistics of a chi-square law. The statement of the theorem could not be
    /// read here (only the abstract was reachable), so the factor is derived from first principles: it is the
    /// expected fraction of the layer's sum of squares carried by the kept weights, which is what enters the free-probability
    /// law through the variance of the entries (universality). Rescaling the kept weights by t^(-1/2) restores the
    /// dense variance in expectation.
    /// </para>
    /// <para>
    /// Exact finite-N value: by exchangeability, E[sum of the k largest] = N E[X 1{X ranks in the top k}] and, given
    /// |Z| = z, the rank condition is that at most k - 1 of the other N - 1 entries exceed z, a binomial tail:
    /// t_N(k) = int_0^inf z^2 2 phi(z) P(Bin(N - 1, erfc(z / sqrt 2)) &lt;= k - 1) dz. In the uniform scale u = P(|Z| &lt;= z)
    /// the binomial CDF is P(B &lt;= u) with B ~ Beta(N - k, k), so t_N(k) = E[T(B)] with T the limit factor at sparsity B:
    /// the finite-N factor is the limit averaged over a random boundary. That form is integrated (adaptive Gauss-Kronrod,
    /// MathNet, over B's bulk); the binomial form is the independent check in the tests. Expansion:
    /// t_N(k) = T(s) - tau s (1 - s) / (2 N phi(tau)) + O(N^-2), s = 1 - k/N.
    /// Tests: N = 2 against the closed form (1 + 2/pi) / 2 to 1e-12; N = 3, 4, 6 against the sum of the separately
    /// integrated order-statistic means to 1e-10; the binomial rank integral (N = 10 ... 1e5) to 1e-9 relative; sampled
    /// chi-square order statistics within 4 standard errors; the limit against direct quadrature to 1e-11; N (t_N - T(s))
    /// against the expansion above within 2% at N = 1e4 and 0.5% at N = 1e6.
    /// </para>
    /// </remarks>
    public static class MagnitudePruningFactor
    {
        private const double UpperLimit = 40; // 2 phi(40) z^2 < 1e-340: nothing of the integrand is left beyond.

        /// <summary>
        /// The limit t(s) = (1 - s) + 2 tau phi(tau), tau = <see cref="Threshold"/>(s): the variance fraction kept by magnitude
        /// pruning of a wide Gaussian layer. t(0) = 1; t(s) -&gt; 0 as s -&gt; 1 (like (1 - s) tau^2).
        /// </summary>
        /// <exception cref="InvalidArchitectureException">s is not in [0, 1).</exception>
        public static double Limit(double sparsity)
        {
            PruningSpecification.CheckSparsity(sparsity);
            return LimitUnchecked(sparsity);
        }

        /// <summary>
        /// The pruning threshold in units of the weights' standard deviation: tau with P(|Z| &lt;= tau) = s, i.e.
        /// tau = sqrt(2) erfinv(s) (computed as sqrt(2) erfcinv(1 - s) for s &gt; 1/2).
        /// </summary>
        /// <exception cref="InvalidArchitectureException">s is not in [0, 1).</exception>
        public static double Threshold(double sparsity)
        {
            PruningSpecification.CheckSparsity(sparsity);
            return Math.Sqrt(2) * (sparsity <= 0.5 ? SpecialFunctions.ErfInv(sparsity) : SpecialFunctions.ErfcInv(1 - sparsity));
        }

        /// <summary>
        /// The number of weights kept in a layer of <paramref name="entries"/> weights at sparsity s: round((1 - s) N).
        /// </summary>
        public static long KeptCount(long entries, double sparsity)
        {
            PruningSpecification.CheckSparsity(sparsity);
            if (entries < 1) throw new InvalidArchitectureException($"a layer needs at least one weight, got {entries}.");
            return (long)Math.Round((1 - sparsity) * entries, MidpointRounding.AwayFromZero);
        }

        /// <summary>
        /// t_N(k) = E[sum of the k largest of N iid chi-square(1)] / N, exactly (numerical integration, no sampling).
        /// </summary>
        /// <param name="entries">N, the number of weights of the layer (fan_in x fan_out).</param>
        /// <param name="kept">k, the number of weights kept (0 &lt;= k &lt;= N).</param>
        /// <param name="relativeTolerance">Target relative error of each Gauss-Kronrod piece (default 1e-10).</param>
        /// <exception cref="InvalidArchitectureException">N &lt; 1 or k outside [0, N].</exception>
        /// <exception cref="SpectralConvergenceException">The quadrature did not reach the tolerance.</exception>
        public static double Finite(long entries, long kept, double relativeTolerance = 1e-10)
        {
            if (entries < 1) throw new InvalidArchitectureException($"a layer needs at least one weight, got N = {entries}.");
            if (kept < 0 || kept > entries) throw new InvalidArchitectureException($"the number of kept weights must be in [0, {entries}], got {kept}.");
            if (!(relativeTolerance >= 1e-14 && relativeTolerance < 1e-3))
                throw new InvalidArchitectureException($"relative tolerance must be in [1e-14, 1e-3), got {relativeTolerance.ToString(CultureInfo.InvariantCulture)}.");
            if (kept == 0) return 0;
            if (kept == entries) return 1;

            // t_N(k) = E[T(B)], B ~ Beta(N - k, k) the random boundary (in the uniform scale) between pruned and kept
            // weights, T the limit factor: integrate over B's bulk (mean +- 40 sd, clipped to [0, 1]) in 16 pieces.
            double a = entries - kept, b = kept;
            double mean = a / (a + b);
            double sd = Math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
            double lo = Math.Max(0, mean - 40 * sd), hi = Math.Min(1, mean + 40 * sd);
            double logNorm = SpecialFunctions.BetaLn(a, b);
            double Integrand(double u)
            {
                if (u <= 0 || u >= 1) return 0; // endpoints: never Gauss-Kronrod nodes
                double log = (a - 1) * Math.Log(u) + (b - 1) * Math.Log(1 - u) - logNorm;
                return Math.Exp(log) * LimitUnchecked(u);
            }

            const int pieces = 16;
            // Accuracy target per piece: relative to the piece, or absolute relative to the whole (T at B's mean bounds
            // the scale): pieces far in B's tails carry almost nothing and need no relative accuracy.
            double scale = LimitUnchecked(mean) / pieces;
            double total = 0;
            for (int i = 0; i < pieces; i++)
            {
                double x0 = lo + (hi - lo) * i / pieces, x1 = lo + (hi - lo) * (i + 1) / pieces;
                double piece = GaussKronrodRule.Integrate(Integrand, x0, x1, out double error, out double l1, relativeTolerance, 15, 21);
                if (error > 10 * relativeTolerance * Math.Max(l1, scale))
                    throw new SpectralConvergenceException(
                        $"the magnitude-pruning factor t_N(k) for N = {entries}, k = {kept} did not converge on [{x0:g6}, {x1:g6}] (error {error:g3}).");
                total += piece;
            }

            return total;
        }

        /// <summary>t_N(k) for a fan_in x fan_out layer at sparsity s, with k = <see cref="KeptCount"/>.</summary>
        /// <exception cref="InvalidArchitectureException">s is not in [0, 1) or no weight would be kept.</exception>
        public static double ForLayer(int fanIn, int fanOut, double sparsity)
        {
            long entries = (long)fanIn * fanOut;
            long kept = KeptCount(entries, sparsity);
            if (kept == 0)
                throw new InvalidArchitectureException(
                    $"sparsity {sparsity.ToString("R", CultureInfo.InvariantCulture)} keeps no weight of a {fanOut} x {fanIn} layer.");
            return Finite(entries, kept);
        }

        /// <summary>T(u) = (1 - u) + 2 tau phi(tau), tau = sqrt(2) erfinv(u), for u in [0, 1]; T(1) = 0.</summary>
        internal static double LimitUnchecked(double u)
        {
            if (u <= 0) return 1;
            if (u >= 1) return 0;
            double tau = Math.Sqrt(2) * (u <= 0.5 ? SpecialFunctions.ErfInv(u) : SpecialFunctions.ErfcInv(1 - u));
            return (1 - u) + 2 * tau * StandardNormalPdf(tau);
        }

        internal static double StandardNormalPdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
    }
}
