using System;
using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>Per-layer gradient norms ||grad theta_l|| and their total, read from the stored gradients (free).</summary>
    public sealed class GradientNormQuantity : MonitoredQuantity
    {
        public GradientNormQuantity(Schedule schedule)
            : base(schedule)
        {
        }

        public override string Name => "gradient norms";

        public override double TypicalPasses => 0;

        public override string Cost => "no pass: reads the gradients the training step computed";

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            var norms = model.GradientNorms();
            var readings = new List<Reading>();
            double total = 0;
            foreach (var n in norms)
            {
                bool finite = !double.IsNaN(n.Norm) && !double.IsInfinity(n.Norm);
                readings.Add(new Reading(step, QuantityNames.GradientNormPrefix + n.Layer, n.Norm, 0,
                    finite ? EstimateStatus.Converged : EstimateStatus.NonFinite, finite ? null : $"gradient of {n.Layer} is not finite."));
                total += n.Norm * n.Norm;
            }

            bool ok = !double.IsNaN(total) && !double.IsInfinity(total);
            readings.Add(new Reading(step, QuantityNames.GradientNormTotal, Math.Sqrt(total), 0, ok ? EstimateStatus.Converged : EstimateStatus.NonFinite,
                ok ? null : "the gradient is not finite."));
            return readings;
        }
    }
}
