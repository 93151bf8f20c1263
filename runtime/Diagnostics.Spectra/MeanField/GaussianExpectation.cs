using System;
using System.Collections.Concurrent;
using MathNet.Numerics.Integration;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>Expectations E[f(sqrt(q) Z)] for a standard Gaussian Z.</summary>
    public static class GaussianExpectation
    {
        private static readonly ConcurrentDictionary<int, GaussHermiteRule> Rules = new ConcurrentDictionary<int, GaussHermiteRule>();

        /// <summary>Half-width, in standard deviations, of the interval integrated; the Gaussian tail beyond it is below 1e-22.</summary>
        public const double TruncationInSigmas = 10;

        /// <summary>
        /// E[f(sqrt(q) Z)] by adaptive Gauss-Kronrod quadrature (MathNet) on [-10, 10] standard deviations;
        /// robust to kinks and saturations of f.
        /// </summary>
        /// <param name="f">The integrand, evaluated at sqrt(q) z.</param>
        /// <param name="q">Variance, &gt;= 0.</param>
        /// <param name="relativeTolerance">Target relative error of the adaptive rule (default 1e-10).</param>
        public static double Of(Func<double, double> f, double q, double relativeTolerance = 1e-10)
        {
            if (q < 0 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), "variance must be >= 0.");
            if (q == 0) return f(0);
            double s = Math.Sqrt(q);
            return GaussKronrodRule.Integrate(z => f(s * z) * Math.Exp(-0.5 * z * z), -TruncationInSigmas, TruncationInSigmas,
                out _, out _, relativeTolerance, 20, 31) / Math.Sqrt(2 * Math.PI);
        }

        /// <summary>Probabilists' Gauss-Hermite rule with <paramref name="points"/> nodes (cached).</summary>
        public static GaussHermiteRule Hermite(int points) => Rules.GetOrAdd(points, k => GaussHermiteRule.Create(k));
    }

    /// <summary>
    /// Nodes x_j and weights w_j with sum_j w_j f(x_j) = E[f(Z)], Z ~ N(0, 1), exact for polynomials of degree
    /// below 2K. Computed by Golub-Welsch (eigen-decomposition of the Jacobi matrix, MathNet).
    /// </summary>
    public sealed class GaussHermiteRule
    {
        private GaussHermiteRule(double[] nodes, double[] weights)
        {
            Nodes = nodes;
            Weights = weights;
        }

        public double[] Nodes { get; }
        public double[] Weights { get; }

        internal static GaussHermiteRule Create(int points)
        {
            if (points < 1 || points > 400) throw new ArgumentOutOfRangeException(nameof(points), "Gauss-Hermite rules take 1..400 points.");
            var jacobi = new DenseMatrix(points, points);
            for (int k = 1; k < points; k++)
            {
                jacobi[k, k - 1] = Math.Sqrt(k);
                jacobi[k - 1, k] = Math.Sqrt(k);
            }

            var evd = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
            var nodes = new double[points];
            var weights = new double[points];
            double total = 0;
            for (int j = 0; j < points; j++)
            {
                nodes[j] = evd.EigenValues[j].Real;
                double v = evd.EigenVectors[0, j];
                weights[j] = v * v;
                total += weights[j];
            }

            for (int j = 0; j < points; j++) weights[j] /= total;
            Array.Sort(nodes, weights);
            return new GaussHermiteRule(nodes, weights);
        }
    }
}
