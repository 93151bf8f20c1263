using System;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>
    /// lambda_max of the Gauss-Newton matrix G = (1/M) sum_i J_i^T H_i J_i of the cross-entropy loss
    /// (1/M) sum_i -log softmax(f(x_i))_{y_i}, with H_i = diag(p_i) - p_i p_i^T the Hessian of the loss in the logits, in
    /// dual form: the output-sized operator u -&gt; A^T ((1/M) J_theta J_theta^T) A u with H_i = A_i A_i^T,
    /// A_i = diag(sqrt p_i) - p_i sqrt(p_i)^T.
    /// </summary>
    /// <remarks>
    /// G = (1/M) J_theta^T A A^T J_theta and (1/M) A^T J_theta J_theta^T A have the same non-zero eigenvalues
    /// (Martens 2020, "New insights and perspectives on the natural gradient method", Sec. 8, for the Gauss-Newton form;
    /// the factorisation of H is checked in the tests). The logits are read once per call (1 pass); then 2 passes per
    /// Lanczos step, as for <see cref="FisherMaxEigenvalueEstimator"/>. Accuracy against the dense eigendecomposition of
    /// G on the reference MLP: relative error below 1e-6 (tests).
    /// </remarks>
    public sealed class GaussNewtonMaxEigenvalueEstimator
    {
        private readonly WarmStartedLanczos _lanczos;

        public GaussNewtonMaxEigenvalueEstimator(int seed = 3) => _lanczos = new WarmStartedLanczos(seed);

        /// <summary>Stop when the Ritz residual is below this fraction of lambda_max (default 1e-4).</summary>
        public double Tolerance { get; set; } = 1e-4;

        /// <summary>Lanczos step cap (default 40).</summary>
        public int MaxIterations { get; set; } = 40;

        /// <summary>Start from the previous call's top direction (default true).</summary>
        public bool WarmStart { get; set; } = true;

        /// <summary>Estimates lambda_max(G) with its residual error bar; never throws.</summary>
        public Estimate Estimate(IDifferentiableModel model)
        {
            double[] logits;
            int m, k;
            try
            {
                logits = model.Outputs();
                m = model.ProbeCount;
                k = model.OutputSize;
            }
            catch (Exception e)
            {
                return Diagnostics.Runtime.Estimators.Estimate.Failed(EstimateStatus.ModelFailed, $"the model failed: {e.GetType().Name}: {e.Message}");
            }

            if (!LanczosEigensolver.AllFinite(logits))
                return Diagnostics.Runtime.Estimators.Estimate.Failed(EstimateStatus.NonFinite, "the model returned NaN or infinite logits.", 0, 1);
            if (logits.Length != m * k)
                return Diagnostics.Runtime.Estimators.Estimate.Failed(EstimateStatus.ModelFailed, $"the model returned {logits.Length} logits, expected {m * k}.", 0, 1);

            var p = new double[m * k];
            var s = new double[m * k];
            for (int i = 0; i < m; i++)
            {
                var block = new double[k];
                Array.Copy(logits, i * k, block, 0, k);
                var pi = Reference.ReferenceMlp.Softmax(block);
                for (int c = 0; c < k; c++)
                {
                    p[i * k + c] = pi[c];
                    s[i * k + c] = Math.Sqrt(pi[c]);
                }
            }

            return _lanczos.Run(
                () => m * k,
                u => ApplyAT(model.ParameterGramProduct(ApplyA(u, p, s, m, k)), p, s, m, k),
                FisherMaxEigenvalueEstimator.PassesPerIteration,
                1,
                Tolerance,
                MaxIterations,
                WarmStart,
                out _);
        }

        /// <summary>A u per probe block: (diag(s) - p s^T) u = s * u - p (s . u).</summary>
        internal static double[] ApplyA(double[] u, double[] p, double[] s, int m, int k)
        {
            var r = new double[u.Length];
            for (int i = 0; i < m; i++)
            {
                double dot = 0;
                for (int c = 0; c < k; c++) dot += s[i * k + c] * u[i * k + c];
                for (int c = 0; c < k; c++) r[i * k + c] = s[i * k + c] * u[i * k + c] - p[i * k + c] * dot;
            }

            return r;
        }

        /// <summary>A^T u per probe block: (diag(s) - s p^T) u = s * u - s (p . u).</summary>
        internal static double[] ApplyAT(double[] u, double[] p, double[] s, int m, int k)
        {
            var r = new double[u.Length];
            for (int i = 0; i < m; i++)
            {
                double dot = 0;
                for (int c = 0; c < k; c++) dot += p[i * k + c] * u[i * k + c];
                for (int c = 0; c < k; c++) r[i * k + c] = s[i * k + c] * (u[i * k + c] - dot);
            }

            return r;
        }
    }
}
