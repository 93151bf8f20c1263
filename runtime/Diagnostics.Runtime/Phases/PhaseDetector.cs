using System;
using System.Collections.Generic;
using System.Linq;

namespace Diagnostics.Runtime.Phases
{
    /// <summary>
    /// Reads stagnation, descent and convergence off a noisy series y_t = log ||J_t|| observed at increasing steps t,
    /// robustly: a Theil-Sen slope over a sliding window of readings decides whether the window moves significantly,
    /// a Page-Hinkley test on the readings since the last change catches a drop of the level earlier than the slope does.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Definitions (after the study of the Jacobian norm during training that this toolkit follows): stagnation = no
    /// significant change of log ||J||; descent = a significant drop; convergence = flat after a drop. Growth (a
    /// significant rise) is reported as its own phase. A window of <see cref="Window"/> readings is significant when its
    /// change s (t_last - t_first), with s the Theil-Sen slope (Sen 1968), exceeds both <see cref="MinimumChange"/> and
    /// <see cref="Threshold"/> times its standard error sigma sqrt(12 / W) (sigma = the larger of 1.4826 MAD(dy)/sqrt 2 over the last 5 windows and
    /// 1.4826 MAD of the window's residuals about its Theil-Sen line). Decisions start after two windows of readings. The Page-Hinkley statistic (Page 1954; Hinkley 1971) is
    /// max_k m_k - m_t with m_t = sum (y - running mean + delta), alarming at lambda = <see cref="PageHinkleyThreshold"/>
    /// noise units. A window is flat within <see cref="FlatThreshold"/> standard errors; in
    /// between, the phase is kept (hysteresis). A new phase must hold for <see cref="Confirmations"/> consecutive readings.
    /// </para>
    /// <para>
    /// Tests: noisy flat series (Gaussian and Student-t(3) noise) give no change in 40 seeds; a flat-drop-flat series
    /// gives Stagnation, Descent, Convergence with each change found within one window of the true one; real training of
    /// the reference MLP shows stagnation at a small learning rate and descent then convergence near the optimal one.
    /// </para>
    /// </remarks>
    public sealed class PhaseDetector
    {
        private readonly List<(double T, double Y)> _series = new List<(double, double)>();
        private readonly List<PhaseChange> _changes = new List<PhaseChange>();
        private TrainingPhase _candidate = TrainingPhase.Warmup;
        private int _candidateCount;
        private int _segmentStart;

        /// <summary>Readings per Theil-Sen window (default 10, at least 4).</summary>
        public int Window { get; set; } = 10;

        /// <summary>Significance in standard errors (default 4.5: overlapping windows make many correlated tests).</summary>
        public double Threshold { get; set; } = 4.5;

        /// <summary>A window is flat when its change is within this many standard errors (default 2).</summary>
        public double FlatThreshold { get; set; } = 2;

        /// <summary>Smallest change of log ||J|| over a window that counts (default 0.1, i.e. 10%).</summary>
        public double MinimumChange { get; set; } = 0.1;

        /// <summary>Page-Hinkley alarm level in noise units (default 10).</summary>
        public double PageHinkleyThreshold { get; set; } = 10;

        /// <summary>Page-Hinkley drift allowance delta in noise units (default 0.5).</summary>
        public double PageHinkleyDrift { get; set; } = 0.5;

        /// <summary>Consecutive readings a new phase must hold before it is reported (default 3).</summary>
        public int Confirmations { get; set; } = 3;

        /// <summary>The current phase.</summary>
        public TrainingPhase Phase { get; private set; } = TrainingPhase.Warmup;

        /// <summary>All confirmed changes, in order.</summary>
        public IReadOnlyList<PhaseChange> Changes => _changes;

        /// <summary>Raised when a change is confirmed.</summary>
        public event Action<PhaseChange>? PhaseChanged;

        /// <summary>Adds the reading <paramref name="logNorm"/> = log ||J|| at <paramref name="step"/>; returns the change it confirms, if any.</summary>
        /// <remarks>Non-finite readings are ignored (the monitor flags them).</remarks>
        public PhaseChange? Add(long step, double logNorm)
        {
            if (double.IsNaN(logNorm) || double.IsInfinity(logNorm)) return null;
            if (_series.Count > 0 && step <= _series[_series.Count - 1].T) return null;
            _series.Add((step, logNorm));
            int w = Math.Max(4, Window);
            if (_series.Count < 2 * w) return null;

            // The first decision looks at every reading so far (a descent may start at step 0); later ones at the window.
            var window = (Phase == TrainingPhase.Warmup ? _series : _series.Skip(_series.Count - w)).ToArray();
            w = window.Length;
            var (slope, residualNoise) = TheilSen(window);
            // Two robust noise estimates, the larger one kept: a small-sample MAD underestimates often enough to
            // matter when hundreds of overlapping windows are tested.
            double noise = Math.Max(DifferenceNoise(5 * w), residualNoise);
            double change = slope * (window[w - 1].T - window[0].T);
            double standardError = noise * Math.Sqrt(12.0 / w);
            bool significant = Math.Abs(change) > Math.Max(MinimumChange, Threshold * standardError);
            // Page-Hinkley confirms an early drop that the slope alone finds only marginally (2 standard errors).
            bool drop = (significant && change < 0) || (change < -Math.Max(MinimumChange, 2 * standardError) && PageHinkleyDrop(noise));
            bool rise = significant && change > 0;

            // Hysteresis: between "significant" and "flat" (within FlatThreshold standard errors) the phase is kept.
            bool flat = Math.Abs(change) <= Math.Max(MinimumChange, FlatThreshold * standardError);
            bool afterDrop = Phase == TrainingPhase.Descent || Phase == TrainingPhase.Convergence;
            TrainingPhase proposal;
            if (drop) proposal = TrainingPhase.Descent;
            else if (rise) proposal = TrainingPhase.Growth;
            else if (flat || Phase == TrainingPhase.Warmup) proposal = afterDrop ? TrainingPhase.Convergence : TrainingPhase.Stagnation;
            else proposal = Phase;

            if (Phase == TrainingPhase.Warmup)
            {
                // The first phase is decided on the first full window, without confirmation.
                return Commit(step, proposal, slope, noise, (long)window[0].T);
            }

            if (proposal == Phase)
            {
                _candidateCount = 0;
                return null;
            }

            _candidateCount = proposal == _candidate ? _candidateCount + 1 : 1;
            _candidate = proposal;
            return _candidateCount >= Math.Max(1, Confirmations) ? Commit(step, proposal, slope, noise, (long)window[0].T) : null;
        }

        private PhaseChange Commit(long step, TrainingPhase phase, double slope, double noise, long since)
        {
            if (_changes.Count > 0) since = Math.Max(since, _changes[_changes.Count - 1].Since + 1);
            var change = new PhaseChange(step, Phase, phase, slope, noise, since);
            Phase = phase;
            _candidate = phase;
            _candidateCount = 0;
            _segmentStart = Math.Max(0, _series.Count - 1);
            _changes.Add(change);
            PhaseChanged?.Invoke(change);
            return change;
        }

        /// <summary>
        /// Robust noise level of the readings from their first differences over the last <paramref name="count"/>
        /// readings: 1.4826 MAD(dy) / sqrt 2 (a trend only shifts the differences, the MAD is taken about their median).
        /// Pooled over more readings than one window, so that a window's significance is not judged by its own few residuals.
        /// </summary>
        private double DifferenceNoise(int count)
        {
            int first = Math.Max(1, _series.Count - count);
            var diffs = new List<double>();
            for (int k = first; k < _series.Count; k++) diffs.Add(_series[k].Y - _series[k - 1].Y);
            double centre = Median(new List<double>(diffs));
            return 1.4826 * Median(diffs.Select(d => Math.Abs(d - centre)).ToList()) / Math.Sqrt(2);
        }

        /// <summary>Page-Hinkley test for a drop of the level over the readings since the last change.</summary>
        private bool PageHinkleyDrop(double noise)
        {
            double scale = Math.Max(noise, 1e-12);
            double delta = PageHinkleyDrift * scale, lambda = PageHinkleyThreshold * scale;
            double mean = 0, m = 0, max = 0;
            int n = 0;
            for (int k = _segmentStart; k < _series.Count; k++)
            {
                double y = _series[k].Y;
                n++;
                mean += (y - mean) / n;
                // Cumulative sum of (y - mean - delta) falls when the level drops; alarm on the fall from its maximum.
                m += y - mean + delta;
                max = Math.Max(max, m);
                if (max - m > lambda) return true;
            }

            return false;
        }

        /// <summary>Theil-Sen slope (median of pairwise slopes) and 1.4826 MAD of the residuals about the line.</summary>
        internal static (double Slope, double Noise) TheilSen(IReadOnlyList<(double T, double Y)> points)
        {
            var slopes = new List<double>();
            for (int i = 0; i < points.Count; i++)
                for (int j = i + 1; j < points.Count; j++)
                    if (points[j].T != points[i].T) slopes.Add((points[j].Y - points[i].Y) / (points[j].T - points[i].T));
            double slope = slopes.Count == 0 ? 0 : Median(slopes);
            double intercept = Median(points.Select(p => p.Y - slope * p.T).ToList());
            var residuals = points.Select(p => Math.Abs(p.Y - intercept - slope * p.T)).ToList();
            return (slope, 1.4826 * Median(residuals));
        }

        private static double Median(List<double> values)
        {
            values.Sort();
            int n = values.Count;
            return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
        }
    }
}
