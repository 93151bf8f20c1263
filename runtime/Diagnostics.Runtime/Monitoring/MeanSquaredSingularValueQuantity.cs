using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>chi = tr(J^T J) / (M N_0), the mean squared singular value of the input Jacobian (Hutchinson).</summary>
    public sealed class MeanSquaredSingularValueQuantity : MonitoredQuantity
    {
        public MeanSquaredSingularValueQuantity(Schedule schedule, double relativeTolerance = 0.1, int maxSamples = 16)
            : base(schedule) => Estimator = new MeanSquaredSingularValueEstimator { RelativeTolerance = relativeTolerance, MaxSamples = maxSamples };

        public MeanSquaredSingularValueEstimator Estimator { get; }

        public override string Name => "mean squared singular value";

        public override double TypicalPasses => Estimator.MinSamples;

        public override string Cost => $"1 pass (JVP) per Rademacher sample, {Estimator.MinSamples} to {Estimator.MaxSamples} samples";

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            yield return Reading.From(step, QuantityNames.MeanSquaredSingularValue, Estimator.Estimate(model));
        }
    }
}
