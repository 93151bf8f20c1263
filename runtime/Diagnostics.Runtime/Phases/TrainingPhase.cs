namespace Diagnostics.Runtime.Phases
{
    /// <summary>The phase of training read from the series log ||J_t||.</summary>
    public enum TrainingPhase
    {
        /// <summary>Too few readings to decide.</summary>
        Warmup,

        /// <summary>No significant change since the start (or since a rise ended): the Jacobian norm is not moving.</summary>
        Stagnation,

        /// <summary>A significant, sustained drop of log ||J||.</summary>
        Descent,

        /// <summary>Flat again after a descent.</summary>
        Convergence,

        /// <summary>A significant, sustained rise of log ||J|| (not one of the study's three phases; reported, not hidden).</summary>
        Growth,
    }

    /// <summary>A change of phase, with the step at which it was confirmed.</summary>
    public sealed class PhaseChange
    {
        public PhaseChange(long step, TrainingPhase from, TrainingPhase to, double slope, double noise, long? since = null)
        {
            Step = step;
            Since = since ?? step;
            From = from;
            To = to;
            Slope = slope;
            Noise = noise;
        }

        /// <summary>Step of the reading that confirmed the change.</summary>
        public long Step { get; }

        /// <summary>First step of the window of readings that showed the new phase (the change happened at or after it).</summary>
        public long Since { get; }

        public TrainingPhase From { get; }

        public TrainingPhase To { get; }

        /// <summary>Theil-Sen slope of log ||J|| per step over the window at the change.</summary>
        public double Slope { get; }

        /// <summary>Robust noise level (1.4826 MAD of the residuals) over the window at the change.</summary>
        public double Noise { get; }

        public override string ToString() => $"step {Step}: {From} -> {To}";
    }
}
