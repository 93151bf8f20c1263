using System;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>
    /// The mean squared singular value tr(J^T J) / (M N_0) of the input Jacobian over the probes (chi over the whole
    /// network), by Hutchinson's estimator with Rademacher vectors: E ||J v||^2 = tr(J^T J).
    /// </summary>
    /// <remarks>
    /// Hutchinson (1990). At initialisation its expectation is the engine's mean (N_L/N_0) prod_l chi_l
    /// (<c>SignalPropagationResult.JacobianMean</c>). Cost: 1 pass (one JVP) per sample. Stops when the standard error
    /// is below <see cref="RelativeTolerance"/> of the mean (at least <see cref="MinSamples"/>, at most
    /// <see cref="MaxSamples"/>); warm start: begins with the number of samples the previous call needed. Error bar:
    /// one standard error of the sample mean. Tests: within 3 standard errors of the exact trace of the dense J^T J.
    /// </remarks>
    public sealed class MeanSquaredSingularValueEstimator
    {
        private readonly Random _random;
        private int _previousSamples;

        public MeanSquaredSingularValueEstimator(int seed = 4) => _random = new Random(seed);

        /// <summary>Target standard error relative to the mean (default 0.05).</summary>
        public double RelativeTolerance { get; set; } = 0.05;

        /// <summary>At least this many samples (default 4).</summary>
        public int MinSamples { get; set; } = 4;

        /// <summary>At most this many samples (default 64).</summary>
        public int MaxSamples { get; set; } = 64;

        /// <summary>Start with the previous call's sample count (default true).</summary>
        public bool WarmStart { get; set; } = true;

        /// <summary>Estimates tr(J^T J) / (M N_0) with one standard error; never throws.</summary>
        public Estimate Estimate(IDifferentiableModel model)
        {
            int n;
            try
            {
                n = model.ProbeCount * model.InputSize;
            }
            catch (Exception e)
            {
                return Estimators.Estimate.Failed(EstimateStatus.ModelFailed, $"the model failed: {e.GetType().Name}: {e.Message}");
            }

            if (n <= 0) return Estimators.Estimate.Failed(EstimateStatus.ModelFailed, "no probe inputs.");
            int first = Math.Max(MinSamples, WarmStart ? Math.Min(_previousSamples, MaxSamples) : 0);
            double sum = 0, sumSq = 0;
            int count = 0;
            var v = new double[n];
            while (count < MaxSamples)
            {
                for (int i = 0; i < n; i++) v[i] = _random.Next(2) == 0 ? -1 : 1;
                double[] y;
                try
                {
                    y = model.InputJvp(v);
                }
                catch (Exception e)
                {
                    return Estimators.Estimate.Failed(EstimateStatus.ModelFailed, $"the model failed: {e.GetType().Name}: {e.Message}", count, count + 1);
                }

                double s = LanczosEigensolver.Dot(y, y) / n;
                if (double.IsNaN(s) || double.IsInfinity(s))
                    return Estimators.Estimate.Failed(EstimateStatus.NonFinite, "the model returned NaN or infinity.", count, count + 1);
                sum += s;
                sumSq += s * s;
                count++;
                if (count >= first && count >= 2 && StandardError(sum, sumSq, count) <= RelativeTolerance * Math.Abs(sum / count)) break;
            }

            _previousSamples = count;
            double mean = sum / count;
            double se = count >= 2 ? StandardError(sum, sumSq, count) : double.PositiveInfinity;
            bool converged = se <= RelativeTolerance * Math.Abs(mean);
            return new Estimate(mean, se, count, count, converged ? EstimateStatus.Converged : EstimateStatus.NotConverged,
                converged ? null : $"standard error {se:G3} above {RelativeTolerance:G3} of the mean after {count} samples.");
        }

        private static double StandardError(double sum, double sumSq, int count)
        {
            double mean = sum / count;
            double variance = Math.Max(0, (sumSq - count * mean * mean) / (count - 1));
            return Math.Sqrt(variance / count);
        }
    }
}
