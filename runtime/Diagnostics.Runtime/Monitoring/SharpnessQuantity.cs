using System;
using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>How the training loss is normalised: fixes the factor between the dual Gram matrix and the loss curvature.</summary>
    public enum LossNormalization
    {
        /// <summary>(1/(2M)) sum_i ||f(x_i) - y_i||^2: curvature = lambda_max((1/M) J_theta J_theta^T) (factor 1).</summary>
        HalfSquaredErrorMeanOverSamples,

        /// <summary>(1/(M N_L)) sum_i ||f(x_i) - y_i||^2, TorchSharp's <c>MSELoss()</c>: factor 2 / N_L.</summary>
        SquaredErrorMeanOverElements,

        /// <summary>(1/M) sum_i -log softmax(f(x_i))_{y_i}, TorchSharp's <c>CrossEntropyLoss()</c>: the Gauss-Newton matrix (factor 1).</summary>
        CrossEntropyMeanOverSamples,
    }

    /// <summary>
    /// The sharpness lambda_max of the loss's Gauss-Newton matrix at the probes (Fisher for the MSE losses, softmax
    /// Gauss-Newton for cross-entropy), scaled to the loss normalisation, so that gradient descent on that loss is stable
    /// in the linearised regime exactly when eta &lt; 2 / lambda_max.
    /// </summary>
    public sealed class SharpnessQuantity : MonitoredQuantity
    {
        private readonly FisherMaxEigenvalueEstimator _fisher;
        private readonly GaussNewtonMaxEigenvalueEstimator _gaussNewton;

        public SharpnessQuantity(Schedule schedule, LossNormalization loss, double tolerance = 1e-3, int maxIterations = 20)
            : base(schedule)
        {
            Loss = loss;
            _fisher = new FisherMaxEigenvalueEstimator { Tolerance = tolerance, MaxIterations = maxIterations };
            _gaussNewton = new GaussNewtonMaxEigenvalueEstimator { Tolerance = tolerance, MaxIterations = maxIterations };
        }

        public LossNormalization Loss { get; }

        public override string Name => "sharpness";

        /// <summary>About 5 warm-started Lanczos steps of 2 passes (3 with TorchSharp's double backward).</summary>
        public override double TypicalPasses => 10;

        public override string Cost => "2 passes (J_theta^T u backward, J_theta g tangent) per Lanczos step, at most " + _fisher.MaxIterations + " steps, warm-started; +1 forward for cross-entropy";

        /// <summary>The last valid value, scaled to the loss (NaN before the first).</summary>
        public double Latest { get; private set; } = double.NaN;

        /// <summary>The factor between the dual Gram matrix's eigenvalue and the curvature of the loss as normalised.</summary>
        public static double CurvatureFactor(LossNormalization loss, int outputSize) =>
            loss == LossNormalization.SquaredErrorMeanOverElements ? 2.0 / outputSize : 1.0;

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            var e = Loss == LossNormalization.CrossEntropyMeanOverSamples ? _gaussNewton.Estimate(model) : _fisher.Estimate(model);
            if (!e.HasValue) return new[] { Reading.From(step, QuantityNames.Sharpness, e) };
            double factor = CurvatureFactor(Loss, model.OutputSize);
            var scaled = new Estimate(e.Value * factor, e.ErrorBar * factor, e.Iterations, e.Passes, e.Status, e.Message);
            Latest = scaled.Value;
            return new[] { Reading.From(step, QuantityNames.Sharpness, scaled) };
        }
    }
}
