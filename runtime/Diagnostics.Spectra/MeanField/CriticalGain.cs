using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>
    /// Critical weight variances: where chi = sigma_w^2 E[phi'(sqrt(q) Z)^2] equals 1, so that gradients neither
    /// vanish nor explode on average.
    /// </summary>
    /// <remarks>
    /// Poole et al. (2016) and Schoenholz et al. (2017): the order-to-chaos line chi(q*) = 1 at the fixed point q* of
    /// q = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2. For positively homogeneous activations (identity, ReLU, leaky ReLU)
    /// chi does not depend on q and the critical value is 1 / E[phi'^2] (2 for ReLU). Tested against these closed
    /// forms and against sigma_w^2 = 1 for tanh without bias.
    /// </remarks>
    public static class CriticalGain
    {
        /// <summary>Pre-activation variance from which <see cref="ChiAtFixedPoint"/> treats q as unbounded (chi is taken there).</summary>
        public const double UnboundedVariance = 1e12;

        /// <summary>Iterations of the q recursion when looking for its fixed point. Default 5000.</summary>
        public const int MaxFixedPointIterations = 5000;

        /// <summary>
        /// Fixed point q* of q = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2 reached from q = 1 (0 if q collapses,
        /// +infinity if it grows without bound).
        /// </summary>
        public static double FixedPoint(Activation phi, double weightVariance, double biasVariance, double tolerance = 1e-12) =>
            FixedPoint(phi, weightVariance, biasVariance, tolerance, 1e300);

        /// <summary>As the public overload, but +infinity as soon as an iterate passes <paramref name="cap"/>.</summary>
        private static double FixedPoint(Activation phi, double weightVariance, double biasVariance, double tolerance, double cap)
        {
            CheckVariances(weightVariance, biasVariance);
            double q = 1;
            for (int it = 0; it < MaxFixedPointIterations; it++)
            {
                double next = weightVariance * ActivationMoments.SecondMoment(phi, q) + biasVariance;
                if (next < 1e-300) return 0;
                if (next > cap || double.IsInfinity(next)) return double.PositiveInfinity;
                if (Math.Abs(next - q) <= tolerance * Math.Max(q, 1e-300)) return next;
                q = next;
            }

            // Critical slowing down (chi -> 1) converges like 1/t: the last iterate is within the stated tolerance of
            // the limit only approximately; it is returned as the best estimate.
            return q;
        }

        /// <summary>
        /// chi at the fixed point for the given variances; a q map that passes <see cref="UnboundedVariance"/> counts as growing
        /// without bound, and chi is taken there.
        /// </summary>
        public static double ChiAtFixedPoint(Activation phi, double weightVariance, double biasVariance)
        {
            // Stopping at the cap instead of 1e300 saves the geometric climb (4,437 instead of 305 quadratures for GELU
            // just above its escape from q = 1).
            double q = FixedPoint(phi, weightVariance, biasVariance, 1e-12, UnboundedVariance);
            if (double.IsInfinity(q)) q = UnboundedVariance;
            return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, q);
        }

        /// <summary>
        /// The critical sigma_w^2 for an activation and bias variance: chi(q*) = 1 on the order-to-chaos line.
        /// </summary>
        /// <exception cref="SpectralConvergenceException">No critical value in [1e-4, 1e4].</exception>
        public static double AtFixedPoint(Activation phi, double biasVariance = 0)
        {
            if (phi == null) throw new InvalidArchitectureException("activation is null.");
            CheckVariances(1, biasVariance);
            if (IsHomogeneous(phi)) return 1 / ActivationMoments.DerivativeSecondMoment(phi, 1);
            // Softplus: E[softplus(sqrt(q) Z)^2] > q / 2 and 2 E[sigmoid(sqrt(q) Z)^2] = 1 - 2 E[s (1 - s)] < 1, so for
            // sigma_w^2 < 2 q* is finite with chi < sigma_w^2 / 2 < 1, and from sigma_w^2 = 2 on q grows without bound while
            // chi -> sigma_w^2 / 2: the critical value is the ReLU limit 2 (for every bias variance), reached as q -> infinity.
            if (phi.Kind == ActivationKind.Softplus) return 2;
            // Lazy: callers asking at once (the analyzer's spectrum and its per-layer gains) share one computation.
            return Critical.GetOrAdd((phi.Kind, phi.Slope, biasVariance),
                _ => new Lazy<double>(() => OnCriticalLine(phi, biasVariance) ?? AtEscapeFromOne(phi, biasVariance) ?? AtCollapse(phi, biasVariance) ?? ByBisection(phi, biasVariance))).Value;
        }

        /// <summary>The definition solved directly: bisection in sigma_w^2, each step iterating the q map to its fixed point.</summary>
        /// <remarks>Slow (up to 5000 quadratures per step where the q map contracts slowly); the reference and fallback of <see cref="OnCriticalLine"/>.</remarks>
        internal static double ByBisection(Activation phi, double biasVariance) =>
            SolveLog(s => Math.Log(ChiAtFixedPoint(phi, s, biasVariance)), $"{phi} with bias variance {Format(biasVariance)}");

        private static readonly ConcurrentDictionary<(ActivationKind, double, double), Lazy<double>> Critical = new ConcurrentDictionary<(ActivationKind, double, double), Lazy<double>>();

        /// <summary>Empties the cache of <see cref="AtFixedPoint"/> (benchmarks of cold analyses).</summary>
        internal static void ClearCache() => Critical.Clear();

        /// <summary>Log-spaced points of the scan for the critical q* over [max(1e-8, sigma_b^2), 1e6] (2.3 per decade).</summary>
        private const int CriticalLineScan = 32;

        /// <summary>
        /// The critical sigma_w^2 from the order-to-chaos line parametrised by the fixed point itself: q* = sigma_w^2 S(q*) +
        /// sigma_b^2 gives sigma_w^2(q) = (q - sigma_b^2) / S(q), and chi = 1 becomes F(q) = (q - sigma_b^2) D(q) / S(q) = 1
        /// (S = E[phi^2], D = E[phi'^2]), a root search in q without iterating the q map. The root is accepted only when
        /// it is the fixed point the definition reaches from q = 1: the map q -&gt; sigma_w^2 S(q) + sigma_b^2 must move
        /// towards it at every checked point between 1 and q* (no other fixed point in between). Null when no root, more
        /// than one accepted root, or the check fails; the caller then falls back to <see cref="ByBisection"/>.
        /// </summary>
        /// <remarks>
        /// Schoenholz et al. (2017, Sec. 3) draw the phase diagram this way (q* as the parameter). Tests compare it with
        /// <see cref="ByBisection"/> for tanh, GELU, SiLU, sigmoid and softplus at several bias variances.
        /// </remarks>
        internal static double? OnCriticalLine(Activation phi, double biasVariance)
        {
            double lo = Math.Max(1e-8, biasVariance * (1 + 1e-6));
            double hi = 1e6;
            if (!(lo < hi)) return null;
            double Log(double q) => Math.Log((q - biasVariance) * ActivationMoments.DerivativeSecondMoment(phi, q) / ActivationMoments.SecondMoment(phi, q));
            double? found = null;
            double logLo = Math.Log(lo), step = (Math.Log(hi) - logLo) / CriticalLineScan;
            double previousX = logLo, previousF = Log(lo);
            for (int k = 1; k <= CriticalLineScan; k++)
            {
                double x = logLo + k * step;
                double f = Log(Math.Exp(x));
                if (double.IsNaN(f) || double.IsNaN(previousF)) return null;
                if ((previousF < 0) != (f < 0))
                {
                    // Illinois (regula falsi with halving of the retained end's value) in log q: superlinear on the
                    // smooth F, bracketing throughout, at most 100 steps.
                    double a = previousX, b = x, fa = previousF, fb = f;
                    int side = 0;
                    for (int it = 0; it < 100 && b - a > 1e-14 * Math.Max(1, Math.Abs(a)); it++)
                    {
                        double mid = fa == fb ? 0.5 * (a + b) : b - fb * (b - a) / (fb - fa);
                        if (!(mid > a && mid < b)) mid = 0.5 * (a + b);
                        double fm = Log(Math.Exp(mid));
                        if (double.IsNaN(fm)) return null;
                        if (fm == 0)
                        {
                            a = b = mid;
                            break;
                        }

                        if ((fm < 0) == (fa < 0))
                        {
                            a = mid;
                            fa = fm;
                            if (side == -1) fb /= 2;
                            side = -1;
                        }
                        else
                        {
                            b = mid;
                            fb = fm;
                            if (side == 1) fa /= 2;
                            side = 1;
                        }

                        if (Math.Abs(fm) < 1e-15) break;
                    }

                    double q = Math.Exp(Math.Abs(fa) < Math.Abs(fb) ? a : b);
                    double s = (q - biasVariance) / ActivationMoments.SecondMoment(phi, q);
                    if (s >= 1e-4 && s <= 1e4 && ReachedFromOne(phi, s, biasVariance, q))
                    {
                        if (found.HasValue && Math.Abs(found.Value - s) > 1e-9 * s) return null;
                        found = s;
                    }
                }

                previousX = x;
                previousF = f;
            }

            return found;
        }

        /// <summary>
        /// The other way chi of the fixed point reached from q = 1 crosses 1: by a jump where q = 1 is itself a fixed point,
        /// sigma_w^2 = (1 - sigma_b^2) / E[phi(Z)^2]; just below it the map leaves q = 1 downwards to a fixed point with
        /// chi &lt; 1, just above it upwards to one with chi &gt; 1 (or to infinity). Returned when those two chi, evaluated
        /// 1e-9 either side, bracket 1; null otherwise.
        /// </summary>
        /// <remarks>
        /// GELU and SiLU at small bias variances (sigma_b^2 = 1/768: 2.349 and 2.807), where chi(q*) = 1 only at fixed points
        /// not reached from q = 1. This is the point the bisection in sigma_w^2 converges to (tests: agreement to 1e-6).
        /// </remarks>
        internal static double? AtEscapeFromOne(Activation phi, double biasVariance)
        {
            if (!(biasVariance < 1)) return null;
            double s = (1 - biasVariance) / ActivationMoments.SecondMoment(phi, 1);
            if (!(s >= 1e-4 && s <= 1e4)) return null;
            double below = ChiReachedFromOne(phi, s * (1 - 1e-9), biasVariance);
            double above = ChiReachedFromOne(phi, s * (1 + 1e-9), biasVariance);
            return below < 1 && above > 1 ? s : (double?)null;
        }

        /// <summary>
        /// <see cref="ChiAtFixedPoint"/> without iterating the q map where it is increasing: from q = 1 the iteration of an
        /// increasing map moves monotonically to the nearest fixed point in the direction of f(1) - 1, so that fixed point is
        /// bracketed by a log-spaced scan from 1 (8 points per decade, the map checked to increase along it) and refined by
        /// bisection in log q to 1e-13; past <see cref="UnboundedVariance"/> q counts as unbounded. Falls back to the
        /// iteration when the map does not increase along the scan.
        /// </summary>
        /// <remarks>Next to a fixed point at q = 1 the iteration crawls (it leaves 1 by a relative 1e-9): SiLU's escape took 6.8 ms.</remarks>
        internal static double ChiReachedFromOne(Activation phi, double weightVariance, double biasVariance)
        {
            double Map(double q) => weightVariance * ActivationMoments.SecondMoment(phi, q) + biasVariance;
            double f1 = Map(1);
            if (f1 == 1) return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, 1);
            int direction = f1 > 1 ? 1 : -1;
            const double Step = 0.2878231366242557; // ln(10) / 8
            double previousLog = 0, previousMap = f1;
            double? bracketLow = null, bracketHigh = null;
            for (int k = 1; k <= 8 * 320; k++)
            {
                double logQ = direction * k * Step;
                double q = Math.Exp(logQ);
                if (direction > 0 && q > UnboundedVariance)
                    return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, UnboundedVariance);
                if (direction < 0 && q < 1e-300) return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, 0);
                double f = Map(q);
                if (double.IsNaN(f) || (direction > 0 ? !(f >= previousMap) : !(f <= previousMap)))
                    return ChiAtFixedPoint(phi, weightVariance, biasVariance);
                if ((f - q > 0) != (direction > 0))
                {
                    bracketLow = Math.Min(previousLog, logQ);
                    bracketHigh = Math.Max(previousLog, logQ);
                    break;
                }

                previousLog = logQ;
                previousMap = f;
            }

            if (!bracketLow.HasValue) return ChiAtFixedPoint(phi, weightVariance, biasVariance);
            double a = bracketLow.Value, b = bracketHigh!.Value;
            // Sign of f(q) - q at the lower end of the bracket: positive below the fixed point when moving up, and below
            // the crossing when moving down (f(q) > q there too, since the iterates come down to it from above).
            for (int it = 0; it < 200 && b - a > 1e-13; it++)
            {
                double mid = 0.5 * (a + b);
                double q = Math.Exp(mid);
                if (Map(q) - q > 0) a = mid; else b = mid;
            }

            return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, Math.Exp(0.5 * (a + b)));
        }

        /// <summary>
        /// The critical point at q* = 0: without bias and with phi(0) = 0 (tanh, ELU, SELU), q = 0 is a fixed point and
        /// the order-to-chaos line ends there, at sigma_w^2 = lim q / E[phi(sqrt(q) Z)^2] = 1 / D(0+) with
        /// D(0+) = (phi'(0-)^2 + phi'(0+)^2) / 2. Below it the q map collapses to 0 and chi -&gt; sigma_w^2 D(0+) &lt; 1;
        /// above it every fixed point q* &gt; 0 has chi &gt; 1. Returned when both are checked at the 32 log-spaced points of
        /// <see cref="OnCriticalLine"/>: q / S(q) &gt;= 1 / D(0+) on (0, 1] (the map from q = 1 collapses) and
        /// F(q) = q D(q) / S(q) &gt; 1 on (0, 1e6] (the chaotic side; F -&gt; 1 as q -&gt; 0, so to 1e-9). Null otherwise.
        /// </summary>
        /// <remarks>
        /// The bisection reaches this point only through the critical slowing down of the q map (q ~ 1/t at chi = 1):
        /// 1.0015 for tanh instead of 1, 0.4783 for SELU instead of 0.4768.
        /// </remarks>
        internal static double? AtCollapse(Activation phi, double biasVariance)
        {
            if (biasVariance != 0 || phi.Evaluate(0) != 0) return null;
            const double Side = 1e-150;
            double left = phi.Derivative(-Side), right = phi.Derivative(Side);
            double atZero = 0.5 * (left * left + right * right);
            if (!(atZero > 0) || double.IsInfinity(atZero)) return null;
            double s = 1 / atZero;
            if (!(s >= 1e-4 && s <= 1e4)) return null;
            double logLo = Math.Log(1e-8), step = (Math.Log(1e6) - logLo) / CriticalLineScan;
            for (int k = 0; k <= CriticalLineScan; k++)
            {
                double q = Math.Exp(logLo + k * step);
                double second = ActivationMoments.SecondMoment(phi, q);
                if (q <= 1 && !(q / second >= s * (1 - 1e-10))) return null;
                if (!(q * ActivationMoments.DerivativeSecondMoment(phi, q) / second > 1 - 1e-9)) return null;
            }

            return s;
        }

        /// <summary>
        /// Whether the q map with this sigma_w^2 moves every checked point between 1 and <paramref name="fixedPoint"/>
        /// towards it (so that the iteration from q = 1 ends there): 32 log-spaced points, the last within 1% of the fixed point.
        /// </summary>
        private static bool ReachedFromOne(Activation phi, double weightVariance, double biasVariance, double fixedPoint)
        {
            const int Checks = 32;
            double span = Math.Log(fixedPoint);
            if (Math.Abs(span) < 1e-2) return true;
            for (int k = 0; k < Checks; k++)
            {
                double q = Math.Exp(span * k / Checks * (1 - 1e-2 / Math.Abs(span)));
                double move = weightVariance * ActivationMoments.SecondMoment(phi, q) + biasVariance - q;
                if (!(Math.Sign(move) == Math.Sign(fixedPoint - q))) return false;
            }

            return true;
        }

        /// <summary>
        /// The sigma_w^2, shared by every layer, for which the product of the chi_l of this finite network equals 1
        /// (its mean squared singular value is then N_L / N_0 for Gaussian weights). Takes the actual q_l of each layer.
        /// </summary>
        public static double ForNetwork(NetworkArchitecture network)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            return SolveLog(s => SignalPropagation.Compute(WithWeightVariance(network, s)).Chi.Sum(Math.Log), "this network");
        }

        /// <summary>The same network with every layer's weight variance replaced.</summary>
        public static NetworkArchitecture WithWeightVariance(NetworkArchitecture network, double weightVariance) =>
            network.WithLayers(network.Layers.Select(l => new Layer(l.Activation, weightVariance, l.BiasVariance, l.Weights)).ToArray());

        private static bool IsHomogeneous(Activation phi) =>
            phi.Kind == ActivationKind.Identity || phi.Kind == ActivationKind.Relu || phi.Kind == ActivationKind.LeakyRelu;

        /// <summary>Bisection in log sigma_w^2 on [1e-4, 1e4] for the root of an increasing function.</summary>
        private static double SolveLog(Func<double, double> f, string what)
        {
            double lo = Math.Log(1e-4), hi = Math.Log(1e4);
            double flo = f(Math.Exp(lo)), fhi = f(Math.Exp(hi));
            if (!(flo < 0) || !(fhi > 0))
                throw new SpectralConvergenceException($"no critical weight variance in [1e-4, 1e4] for {what}.");
            for (int it = 0; it < 200 && hi - lo > 1e-13; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (f(Math.Exp(mid)) < 0) lo = mid; else hi = mid;
            }

            return Math.Exp(0.5 * (lo + hi));
        }

        private static void CheckVariances(double weightVariance, double biasVariance)
        {
            if (!(weightVariance > 0) || double.IsInfinity(weightVariance))
                throw new InvalidArchitectureException($"weight variance must be a finite number > 0, got {Format(weightVariance)}.");
            if (!(biasVariance >= 0) || double.IsInfinity(biasVariance))
                throw new InvalidArchitectureException($"bias variance must be a finite number >= 0, got {Format(biasVariance)}.");
        }

        private static string Format(double x) => x.ToString("g4", CultureInfo.InvariantCulture);
    }
}
