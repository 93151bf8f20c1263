using System;
using MathNet.Numerics.Distributions;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>
    /// The largest eigenvalue of a positive semi-definite operator by Lanczos, warm-started from the previous call's top
    /// Ritz vector (mixed with a little noise so that a new top direction is not missed), never throwing: model
    /// failures and non-finite products come back as flagged estimates.
    /// </summary>
    internal sealed class WarmStartedLanczos
    {
        private readonly Random _random;
        private double[]? _previous;

        public WarmStartedLanczos(int seed) => _random = new Random(seed);

        public Estimate Run(Func<int> dimension, Func<double[], double[]> op, int passesPerStep, int extraPasses, double tolerance, int maxIterations, bool warmStart, out double[]? topVector)
        {
            topVector = null;
            int n;
            try
            {
                n = dimension();
            }
            catch (Exception e)
            {
                return Estimate.Failed(EstimateStatus.ModelFailed, $"the model failed: {e.GetType().Name}: {e.Message}");
            }

            if (n <= 0) return Estimate.Failed(EstimateStatus.ModelFailed, "the operator has no dimension (no probe inputs?).");
            var start = new double[n];
            for (int i = 0; i < n; i++) start[i] = Normal.Sample(_random, 0, 1);
            if (warmStart && _previous != null && _previous.Length == n)
            {
                // Previous direction plus 10% noise (in norm).
                double noise = 0.1 / Math.Sqrt(n);
                for (int i = 0; i < n; i++) start[i] = _previous[i] + noise * start[i];
            }

            LanczosEigensolver.Result result;
            try
            {
                result = LanczosEigensolver.Run(op, start, maxIterations, tolerance);
            }
            catch (Exception e)
            {
                return Estimate.Failed(EstimateStatus.ModelFailed, $"the model failed: {e.GetType().Name}: {e.Message}");
            }

            int passes = extraPasses + passesPerStep * result.Steps;
            if (result.NonFinite || result.RitzValues.Length == 0)
            {
                _previous = null;
                return Estimate.Failed(EstimateStatus.NonFinite, "the model returned NaN or infinity.", result.Steps, passes);
            }

            double top = result.RitzValues[result.RitzValues.Length - 1];
            _previous = result.TopVector;
            topVector = result.TopVector;
            var status = result.Converged ? EstimateStatus.Converged : EstimateStatus.NotConverged;
            string? message = result.Converged ? null : $"Lanczos stopped at the cap of {maxIterations} steps with residual {result.TopResidual:G3}.";
            return new Estimate(top, result.TopResidual, result.Steps, passes, status, message);
        }
    }
}
