using System.Collections.Generic;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>The law of the eigenvalues of J^T J by stochastic Lanczos quadrature (expensive: for log-spaced or rare steps).</summary>
    public sealed class SpectralDensityQuantity : MonitoredQuantity
    {
        private readonly SortedDictionary<long, SpectralDensityEstimate> _estimates = new SortedDictionary<long, SpectralDensityEstimate>();

        public SpectralDensityQuantity(Schedule schedule, int vectors = 4, int steps = 30)
            : base(schedule) => Estimator = new StochasticLanczosQuadrature { Vectors = vectors, Steps = steps };

        public StochasticLanczosQuadrature Estimator { get; }

        public override string Name => "spectral density";

        public override double TypicalPasses => Estimator.Passes;

        public override string Cost => $"2 passes per Lanczos step, {Estimator.Vectors} vectors x {Estimator.Steps} steps = {Estimator.Passes} passes";

        /// <summary>The estimates kept, by step (plain numbers).</summary>
        public IReadOnlyDictionary<long, SpectralDensityEstimate> Estimates => _estimates;

        protected internal override IEnumerable<Reading> Compute(IDifferentiableModel model, long step)
        {
            var e = Estimator.Estimate(model);
            if (e.HasValue) _estimates[step] = e;
            return new[]
            {
                Reading.From(step, QuantityNames.SpectrumLargest, e.Largest),
                new Reading(step, QuantityNames.SpectrumMean, e.HasValue ? e.Mean : double.NaN, 0, e.Status, e.Message),
            };
        }
    }
}
