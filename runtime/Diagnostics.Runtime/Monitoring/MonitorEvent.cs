using System;
using Diagnostics.Runtime.Phases;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>What happened.</summary>
    public enum MonitorEventKind
    {
        /// <summary>The phase of log ||J|| changed (<see cref="MonitorEvent.Phase"/> holds it).</summary>
        PhaseChanged,

        /// <summary>eta crossed above 2 / lambda_max.</summary>
        LearningRateAboveBound,

        /// <summary>eta is back below 2 / lambda_max.</summary>
        LearningRateBelowBound,

        /// <summary>A reading was flagged (NaN/infinity, a failing model, no convergence).</summary>
        FlaggedReading,
    }

    /// <summary>An event raised by the <see cref="TrainingMonitor"/>.</summary>
    public sealed class MonitorEvent : EventArgs
    {
        public MonitorEvent(long step, MonitorEventKind kind, string message, PhaseChange? phase = null, Reading? reading = null, double? suggestedLearningRate = null)
        {
            Step = step;
            Kind = kind;
            Message = message;
            Phase = phase;
            Reading = reading;
            SuggestedLearningRate = suggestedLearningRate;
        }

        public long Step { get; }

        public MonitorEventKind Kind { get; }

        /// <summary>One readable sentence: what happened and what to do.</summary>
        public string Message { get; }

        public PhaseChange? Phase { get; }

        public Reading? Reading { get; }

        /// <summary>For learning-rate events, a rate below the bound.</summary>
        public double? SuggestedLearningRate { get; }

        public override string ToString() => $"step {Step}: {Message}";
    }
}
