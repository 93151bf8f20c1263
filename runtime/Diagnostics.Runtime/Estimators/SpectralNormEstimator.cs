using System;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>
    /// The spectral norm ||J|| = sqrt(lambda_max(J^T J)) of the input Jacobian at the probes (the largest over the
    /// probes), by Lanczos on J^T J with warm start across calls.
    /// </summary>
    /// <remarks>
    /// Cost: 2 passes (one JVP, one VJP over the probe batch) per Lanczos step. Error bar: the Ritz residual r on
    /// lambda_max mapped to the norm, r / (2 ||J||). Accuracy measured against MathNet's dense SVD on the reference MLP
    /// (tests): relative error below 1e-6 at the default tolerance 1e-6 for ReLU, tanh and linear networks of width 64,
    /// typically in 15 to 30 steps from a cold start and fewer from a warm one.
    /// </remarks>
    public sealed class SpectralNormEstimator
    {
        private readonly WarmStartedLanczos _lanczos;

        public SpectralNormEstimator(int seed = 1) => _lanczos = new WarmStartedLanczos(seed);

        /// <summary>Stop when the Ritz residual on lambda_max is below this fraction of lambda_max (default 1e-6).</summary>
        public double Tolerance { get; set; } = 1e-6;

        /// <summary>Lanczos step cap (default 40).</summary>
        public int MaxIterations { get; set; } = 40;

        /// <summary>Start from the previous call's top direction (default true).</summary>
        public bool WarmStart { get; set; } = true;

        /// <summary>Extra passes per iteration.</summary>
        public const int PassesPerIteration = 2;

        /// <summary>Estimates ||J|| (value) with its error bar; never throws.</summary>
        public Estimate Estimate(IDifferentiableModel model)
        {
            var lambda = EstimateLargestSquaredSingularValue(model);
            if (!lambda.HasValue) return lambda;
            double norm = Math.Sqrt(Math.Max(lambda.Value, 0));
            double error = norm > 0 ? lambda.ErrorBar / (2 * norm) : Math.Sqrt(lambda.ErrorBar);
            return new Estimate(norm, error, lambda.Iterations, lambda.Passes, lambda.Status, lambda.Message);
        }

        /// <summary>Estimates lambda_max(J^T J) = ||J||^2 with its residual error bar; never throws.</summary>
        public Estimate EstimateLargestSquaredSingularValue(IDifferentiableModel model) => _lanczos.Run(
            () => model.ProbeCount * model.InputSize,
            v => model.InputVjp(model.InputJvp(v)),
            PassesPerIteration,
            0,
            Tolerance,
            MaxIterations,
            WarmStart,
            out _);
    }
}
