using System.Collections.Generic;
using Diagnostics.Runtime.Models;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>
    /// A quantity the <see cref="TrainingMonitor"/> computes on its <see cref="Schedule"/>, producing plain readings keyed
    /// by step. Each states its cost in extra passes over the probe batch, so that the overhead is predictable.
    /// </summary>
    public abstract class MonitoredQuantity
    {
        protected MonitoredQuantity(Schedule schedule) => Schedule = schedule;

        /// <summary>Short name used in logs.</summary>
        public abstract string Name { get; }

        /// <summary>When the quantity is computed.</summary>
        public Schedule Schedule { get; set; }

        /// <summary>Typical extra passes (forward, backward or tangent passes over the M probes) per computation.</summary>
        public abstract double TypicalPasses { get; }

        /// <summary>The cost in words (passes per iteration, iterations, graph kept).</summary>
        public abstract string Cost { get; }

        /// <summary>Computes the readings at <paramref name="step"/>. May throw: the monitor catches, flags and warns.</summary>
        protected internal abstract IEnumerable<Reading> Compute(IDifferentiableModel model, long step);

        /// <summary>Called once per step before any computation (free hook, no-op by default).</summary>
        protected internal virtual void OnStep(long step)
        {
        }
    }
}
