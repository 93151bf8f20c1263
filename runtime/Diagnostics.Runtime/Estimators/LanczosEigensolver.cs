using System;
using System.Collections.Generic;
using MathNet.Numerics.LinearAlgebra;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>
    /// Symmetric Lanczos with full re-orthogonalisation on an operator given only by its products, for the largest
    /// eigenvalue (with a residual error bar) and for Gauss quadrature (Ritz values and first-component weights).
    /// </summary>
    /// <remarks>
    /// Lanczos (1950); error bar from the Ritz residual ||A y - theta y|| = beta_k |s_k| (Parlett, The Symmetric
    /// Eigenvalue Problem, 1998, Thm 4.5.1: some eigenvalue lies within it). Operators are small here (at most a few
    /// thousand dimensions, at most a hundred steps), so the basis is kept and re-orthogonalised twice per step.
    /// </remarks>
    internal sealed class LanczosEigensolver
    {
        internal sealed class Result
        {
            public double[] Alpha = Array.Empty<double>();
            public double[] Beta = Array.Empty<double>();
            public double[] RitzValues = Array.Empty<double>(); // ascending
            public double[] Weights = Array.Empty<double>(); // squared first components of the Ritz vectors
            public double[] TopVector = Array.Empty<double>();
            public double TopResidual;
            public int Steps;
            public bool Converged;
            public bool NonFinite;
        }

        /// <summary>
        /// Runs at most <paramref name="maxSteps"/> steps from <paramref name="start"/>. With a positive
        /// <paramref name="tolerance"/>, stops when the top Ritz residual is below tolerance * |theta_max|.
        /// </summary>
        public static Result Run(Func<double[], double[]> op, double[] start, int maxSteps, double tolerance)
        {
            int n = start.Length;
            var result = new Result();
            maxSteps = Math.Max(1, Math.Min(maxSteps, n));
            var basis = new List<double[]>();
            var alpha = new List<double>();
            var beta = new List<double>();
            var q = Normalised(start);
            if (q == null)
            {
                result.NonFinite = true;
                return result;
            }

            basis.Add(q);
            for (int k = 0; k < maxSteps; k++)
            {
                var w = op(basis[k]);
                if (w.Length != n) throw new ArgumentException($"the operator returned {w.Length} entries, expected {n}.");
                if (!AllFinite(w))
                {
                    result.NonFinite = true;
                    result.Steps = k;
                    return result;
                }

                double a = Dot(w, basis[k]);
                alpha.Add(a);

                // Orthogonalise against the whole basis, twice (classical Gram-Schmidt twice is enough).
                for (int pass = 0; pass < 2; pass++)
                {
                    foreach (var v in basis)
                    {
                        double c = Dot(w, v);
                        for (int i = 0; i < n; i++) w[i] -= c * v[i];
                    }
                }

                double b = Math.Sqrt(Dot(w, w));
                Solve(alpha, beta, b, result);
                result.Steps = k + 1;
                double scale = Math.Max(Math.Abs(result.RitzValues[result.RitzValues.Length - 1]), Math.Abs(result.RitzValues[0]));
                bool invariant = b <= 1e-13 * Math.Max(scale, 1e-300) || k + 1 == n;
                if (invariant || (tolerance > 0 && result.TopResidual <= tolerance * Math.Abs(result.RitzValues[result.RitzValues.Length - 1])))
                {
                    result.Converged = true;
                    break;
                }

                if (k + 1 == maxSteps) break;
                beta.Add(b);
                for (int i = 0; i < n; i++) w[i] /= b;
                basis.Add(w);
            }

            // Top Ritz vector, kept for warm starts.
            var top = new double[n];
            var s = TopEigenvector(alpha, beta);
            for (int j = 0; j < s.Length; j++)
                for (int i = 0; i < n; i++) top[i] += s[j] * basis[j][i];
            result.TopVector = top;
            result.Alpha = alpha.ToArray();
            result.Beta = beta.ToArray();
            return result;
        }

        private static void Solve(List<double> alpha, List<double> beta, double nextBeta, Result result)
        {
            int k = alpha.Count;
            var t = Matrix<double>.Build.Dense(k, k);
            for (int i = 0; i < k; i++)
            {
                t[i, i] = alpha[i];
                if (i + 1 < k)
                {
                    t[i, i + 1] = beta[i];
                    t[i + 1, i] = beta[i];
                }
            }

            var evd = t.Evd(Symmetricity.Symmetric);
            var values = new double[k];
            var weights = new double[k];
            for (int j = 0; j < k; j++)
            {
                values[j] = evd.EigenValues[j].Real;
                weights[j] = evd.EigenVectors[0, j] * evd.EigenVectors[0, j];
            }

            Array.Sort(values, weights);
            int top = 0;
            for (int j = 1; j < k; j++)
                if (evd.EigenValues[j].Real > evd.EigenValues[top].Real) top = j;
            result.RitzValues = values;
            result.Weights = weights;
            result.TopResidual = Math.Abs(nextBeta * evd.EigenVectors[k - 1, top]);
        }

        private static double[] TopEigenvector(List<double> alpha, List<double> beta)
        {
            int k = alpha.Count;
            var t = Matrix<double>.Build.Dense(k, k);
            for (int i = 0; i < k; i++)
            {
                t[i, i] = alpha[i];
                if (i + 1 < k && i < beta.Count)
                {
                    t[i, i + 1] = beta[i];
                    t[i + 1, i] = beta[i];
                }
            }

            var evd = t.Evd(Symmetricity.Symmetric);
            int top = 0;
            for (int j = 1; j < k; j++)
                if (evd.EigenValues[j].Real > evd.EigenValues[top].Real) top = j;
            return evd.EigenVectors.Column(top).ToArray();
        }

        internal static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }

        internal static bool AllFinite(double[] v)
        {
            foreach (var x in v)
                if (double.IsNaN(x) || double.IsInfinity(x)) return false;
            return true;
        }

        internal static double[]? Normalised(double[] v)
        {
            double norm = Math.Sqrt(Dot(v, v));
            if (!(norm > 0) || double.IsInfinity(norm)) return null;
            var q = new double[v.Length];
            for (int i = 0; i < v.Length; i++) q[i] = v[i] / norm;
            return q;
        }
    }
}
