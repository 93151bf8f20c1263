using System;
using Diagnostics.Spectra.Inversion;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// Outer edges of the support of the non-zero part of the normalised law, from the real branch of the master
    /// equation: outside the support M is real and zeta(m) = M^{-1}(m) is monotone; the edges are its first
    /// critical points met from m = 0+ (upper edge) and from m = -(1 - atom) (lower edge).
    /// </summary>
    internal static class SupportEdges
    {
        private const double ScanRatio = 1.15;
        private const int MaxScan = 400;
        private const int Bisections = 200;

        /// <summary>Upper edge zeta_+ (normalised units).</summary>
        public static double Upper(MasterEquation equation)
        {
            var u = NewWarmStart(equation);
            double m = equation.MScale * 1e-8;
            if (!equation.RealBranch(m, u, out double zeta, out double slope))
                throw new SpectralConvergenceException("the real branch of the master equation does not start at m = 0+.");
            double previousM = m, previousZeta = zeta;
            for (int k = 0; k < MaxScan; k++)
            {
                m *= ScanRatio;
                if (!equation.RealBranch(m, u, out zeta, out slope) || zeta <= 0)
                    return previousZeta;
                if (slope >= 0) return CriticalValue(equation, previousM, m, u);
                previousM = m;
                previousZeta = zeta;
            }

            // No critical point: zeta(m) decreases to its limit (a point mass at the edge).
            return previousZeta;
        }

        /// <summary>
        /// Upper edge of the continuous part below a top atom at <paramref name="atom"/>: just below the atom m is real and
        /// large negative, zeta(m) = zeta_0 (1 + w/m + ...) &lt; zeta_0; the edge is the first critical point of zeta(m)
        /// met when m increases from -infinity towards the rank limit.
        /// </summary>
        public static double UpperBelowTopAtom(MasterEquation equation, double atom)
        {
            var u = NewWarmStart(equation);
            double limit = equation.RankFraction;
            double m = -1e6 * equation.LargestRootModulus;
            if (!equation.RealBranch(m, u, out double zeta, out double slope) || !(zeta > 0) || slope >= 0)
                throw new SpectralConvergenceException($"the real branch below the atom at zeta = {atom:g6} does not start decreasing.");
            double previousM = m;
            for (int k = 0; k < 4 * MaxScan && m < -limit; k++)
            {
                m /= ScanRatio;
                if (!equation.RealBranch(m, u, out zeta, out slope) || !(zeta > 0))
                    break;
                if (slope >= 0) return CriticalValue(equation, previousM, m, u);
                previousM = m;
            }

            throw new SpectralConvergenceException($"no upper edge of the continuous part found below the atom at zeta = {atom:g6}.");
        }

        /// <summary>Lower edge zeta_- of the non-zero part; 0 for a hard edge at zero.</summary>
        public static double Lower(MasterEquation equation)
        {
            var u = NewWarmStart(equation);
            double limit = equation.RankFraction;
            // Two distinct rank constraints within 1% of each other: the edge sits within a hair of zero, treated as
            // hard. Exact ties are left to the exponent test below (orthogonal factors of B can cancel them).
            var limits = equation.RankLimits();
            int next = limits.FindIndex(x => x > limits[0] * (1 + 1e-12));
            if (next >= 0 && limits[next] <= limits[0] * (1 + 1e-2))
                return 0;
            // Several factors vanishing together at m = -(1 - atom) make zeta ~ C eps^k with k >= 2: the physical
            // branch leaves the real axis there and the non-zero part has a hard edge at zero (as for square MP).
            if (!equation.RealBranch(-limit * (1 + 1e-6), u, out double zeta6, out _)
                || !equation.RealBranch(-limit * (1 + 1e-8), u, out double zeta8, out _)
                || !(zeta6 > 0) || !(zeta8 > 0) || Math.Log(zeta6 / zeta8) / Math.Log(100) > 1.5)
                return 0;
            double m = -limit * (1 + 1e-10);
            if (!equation.RealBranch(m, u, out double zeta, out double slope) || !(zeta > 0) || slope >= 0)
                return 0;
            double previousM = m;
            for (int k = 0; k < MaxScan; k++)
            {
                m *= ScanRatio;
                if (!equation.RealBranch(m, u, out zeta, out slope) || !(zeta > 0))
                    return 0;
                // A branch that breaks inside the bracket (zeta under- or overflowing next to tied rank limits) leaves
                // the edge unknown: 0, the hard-edge grid, which covers it from below and is checked by the mass.
                if (slope >= 0) return TryCriticalValue(equation, previousM, m, u, out double edge, out _) ? edge : 0;
                previousM = m;
            }

            return 0;
        }

        private static double[] NewWarmStart(MasterEquation equation)
        {
            var g = new double[equation.Dimension - 1];
            for (int i = 0; i < g.Length; i++) g[i] = 1;
            return g;
        }

        /// <summary>zeta at the root of d log zeta / dm between <paramref name="before"/> (slope &lt; 0) and <paramref name="after"/> (slope &gt;= 0).</summary>
        private static double CriticalValue(MasterEquation equation, double before, double after, double[] u)
        {
            if (!TryCriticalValue(equation, before, after, u, out double zeta, out double broken))
                throw new SpectralConvergenceException($"the real branch of the master equation broke (or gave a non-positive edge) at m = {broken} while locating a support edge.");
            return zeta;
        }

        /// <summary>Bisection on the sign of the slope; false (with the m where it happened) when the branch breaks or the critical value is not positive.</summary>
        private static bool TryCriticalValue(MasterEquation equation, double before, double after, double[] u, out double zeta, out double broken)
        {
            double lo = before, hi = after;
            zeta = double.NaN;
            broken = double.NaN;
            for (int it = 0; it < Bisections; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (mid == lo || mid == hi) break;
                if (!equation.RealBranch(mid, u, out _, out double slope))
                {
                    broken = mid;
                    return false;
                }

                if (slope < 0) lo = mid; else hi = mid;
            }

            // The critical value must be a point of the positive axis (round-off in long products can push it below 0).
            broken = 0.5 * (lo + hi);
            return equation.RealBranch(broken, u, out zeta, out _) && zeta > 0 && !double.IsInfinity(zeta);
        }
    }
}
