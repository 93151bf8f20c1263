using System.Collections.Generic;
using Diagnostics.Runtime.Phases;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>What a <see cref="TrainingMonitor"/> computes and where it writes.</summary>
    public sealed class MonitorOptions
    {
        /// <summary>How the training loss is normalised (decides Fisher or Gauss-Newton and the factor on lambda_max).</summary>
        public LossNormalization Loss { get; set; } = LossNormalization.HalfSquaredErrorMeanOverSamples;

        /// <summary>The quantities; null: <see cref="MonitorPreset.Default"/> for <see cref="Loss"/>.</summary>
        public IReadOnlyList<MonitoredQuantity>? Quantities { get; set; }

        /// <summary>Phase detection settings (window, thresholds).</summary>
        public PhaseDetector PhaseDetector { get; set; } = new PhaseDetector();

        /// <summary>When set, the readings of each step at which a quantity was computed are appended to this file as one JSON
        /// line as training runs (<see cref="TrainingMonitor.WriteHistory"/> writes every step, loss included).</summary>
        public string? HistoryPath { get; set; }

        /// <summary>When set, <see cref="TrainingMonitor.Complete"/> (or Dispose) writes the SVG report here.</summary>
        public string? ReportPath { get; set; }

        /// <summary>Title of the SVG report.</summary>
        public string Title { get; set; } = "Training monitor";

        /// <summary>Flagged readings of one series are logged the first time and then every this many times (default 50).</summary>
        public int FlagLogInterval { get; set; } = 50;
    }
}
