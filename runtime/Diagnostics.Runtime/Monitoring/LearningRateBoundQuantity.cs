using System;
using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>
    /// Reads eta from the optimiser and compares it with the stability bound 2 / lambda_max of the latest sharpness:
    /// records eta, the bound and the margin eta lambda_max / 2 (above 1: gradient descent is unstable in the linearised
    /// regime; edge-of-stability training hovers near 1).
    /// </summary>
    /// <remarks>
    /// For gradient descent on a quadratic loss with Hessian H, theta_{t+1} - theta* = (I - eta H)(theta_t - theta*)
    /// diverges along the top eigenvector iff eta &gt; 2 / lambda_max(H) (Cohen et al. 2021, "Gradient descent on neural
    /// networks typically occurs at the edge of stability", Sec. 2). Tested on the reference MLP in the linearised regime:
    /// eta = 1.05 x 2/lambda_max diverges and 0.95 x 2/lambda_max converges.
    /// </remarks>
    public sealed class LearningRateBoundQuantity : MonitoredQuantity
    {
        private readonly SharpnessQuantity _sharpness;

        public LearningRateBoundQuantity(Schedule schedule, SharpnessQuantity sharpness, double safetyFactor = 0.8)
            : base(schedule)
        {
            _sharpness = sharpness ?? throw new ArgumentNullException(nameof(sharpness));
            SafetyFactor = safetyFactor;
        }

        /// <summary>The suggested rate is this fraction of 2 / lambda_max (default 0.8).</summary>
        public double SafetyFactor { get; set; }

        public override string Name => "learning-rate bound";

        public override double TypicalPasses => 0;

        public override string Cost => "no pass: reads eta and the latest sharpness";

        /// <summary>The latest suggested learning rate SafetyFactor x 2 / lambda_max (NaN before the first sharpness).</summary>
        public double SuggestedLearningRate => SafetyFactor * 2 / _sharpness.Latest;

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            double eta = model.LearningRate;
            var readings = new List<Reading> { new Reading(step, QuantityNames.LearningRate, eta) };
            double lambda = _sharpness.Latest;
            if (lambda > 0 && !double.IsInfinity(lambda))
            {
                readings.Add(new Reading(step, QuantityNames.LearningRateBound, 2 / lambda));
                readings.Add(new Reading(step, QuantityNames.LearningRateMargin, eta * lambda / 2));
            }
            else if (!double.IsNaN(lambda))
            {
                readings.Add(new Reading(step, QuantityNames.LearningRateMargin, double.NaN, 0, EstimateStatus.NonFinite, $"sharpness {lambda} gives no bound."));
            }

            return readings;
        }
    }
}
