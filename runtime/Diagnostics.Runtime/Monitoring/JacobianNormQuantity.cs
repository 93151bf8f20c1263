using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>||J||, the spectral norm of the input Jacobian at the probes (largest over the probes); feeds the phase detector.</summary>
    public sealed class JacobianNormQuantity : MonitoredQuantity
    {
        public JacobianNormQuantity(Schedule schedule, double tolerance = 1e-3, int maxIterations = 20)
            : base(schedule) => Estimator = new SpectralNormEstimator { Tolerance = tolerance, MaxIterations = maxIterations };

        public SpectralNormEstimator Estimator { get; }

        public override string Name => "jacobian norm";

        /// <summary>About 4 warm-started Lanczos steps of 2 passes each (measured on the reference MLP at tolerance 1e-3).</summary>
        public override double TypicalPasses => 8;

        public override string Cost => $"2 passes (JVP + VJP) per Lanczos step, at most {Estimator.MaxIterations} steps, warm-started";

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            yield return Reading.From(step, QuantityNames.JacobianNorm, Estimator.Estimate(model));
        }
    }
}
