using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;
using Diagnostics.Runtime.Phases;
using Diagnostics.Runtime.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>
    /// Watches a training loop: computes the scheduled quantities on the model's probes after each step, detects the phase
    /// of log ||J||, compares eta with 2 / lambda_max, raises events, logs, and writes a JSONL history and an SVG report.
    /// It never throws out of <see cref="Step"/>: a failing model, NaN or a non-converged estimate becomes a flagged
    /// reading and a warning.
    /// </summary>
    /// <example>
    /// <code>
    /// using var monitor = new TrainingMonitor(model, new MonitorOptions { ReportPath = "run.svg", HistoryPath = "run.jsonl" }, logger);
    /// for (int step = 0; step &lt; steps; step++) { double loss = TrainOneStep(); monitor.Step(loss); }
    /// monitor.Complete();
    /// </code>
    /// </example>
    public sealed class TrainingMonitor : IDisposable
    {
        private readonly IDifferentiableModel _model;
        private readonly MonitorOptions _options;
        private readonly ILogger _logger;
        private readonly Dictionary<string, int> _flagCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan> _time = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        private readonly System.Diagnostics.Stopwatch _clock = new System.Diagnostics.Stopwatch();
        private StreamWriter? _history;
        private bool _aboveBound;
        private bool _completed;

        public TrainingMonitor(IDifferentiableModel model, MonitorOptions? options = null, ILogger? logger = null)
        {
            _model = model ?? throw new ArgumentNullException(nameof(model));
            _options = options ?? new MonitorOptions();
            _logger = logger ?? NullLogger.Instance;
            Quantities = _options.Quantities ?? MonitorPreset.Default(_options.Loss);
            Phases = _options.PhaseDetector;
        }

        /// <summary>Raised for phase changes, learning-rate bound crossings and flagged readings.</summary>
        public event EventHandler<MonitorEvent>? EventRaised;

        public IReadOnlyList<MonitoredQuantity> Quantities { get; }

        public PhaseDetector Phases { get; }

        public MonitorHistory History { get; } = new MonitorHistory();

        /// <summary>The index the next call to <see cref="Step"/> records (0 at the start).</summary>
        public long CurrentStep { get; private set; }

        /// <summary>The latest suggested learning rate (SafetyFactor x 2 / lambda_max), NaN before the first sharpness.</summary>
        public double SuggestedLearningRate =>
            Quantities.OfType<LearningRateBoundQuantity>().Select(q => q.SuggestedLearningRate).DefaultIfEmpty(double.NaN).First();

        /// <summary>Typical extra passes over the probe batch per training step, from the quantities' schedules and costs.</summary>
        public double TypicalPassesPerStep(long steps = 1000)
        {
            double total = 0;
            foreach (var q in Quantities)
            {
                long count = 0;
                for (long s = 0; s < steps; s++) if (q.Schedule.ShouldCompute(s)) count++;
                total += q.TypicalPasses * count;
            }

            return total / steps;
        }

        /// <summary>Wall-clock time spent in each quantity and in bookkeeping ("history"), measured.</summary>
        public IReadOnlyDictionary<string, TimeSpan> TimeSpent => _time;

        private void Charge(string what)
        {
            _clock.Stop();
            _time.TryGetValue(what, out var t);
            _time[what] = t + _clock.Elapsed;
            _clock.Restart();
        }

        /// <summary>Call once per training step, after the optimiser step. Never throws.</summary>
        /// <param name="loss">The step's training loss, recorded when given.</param>
        public void Step(double? loss = null)
        {
            long step = CurrentStep++;
            _clock.Restart();
            var readings = new List<Reading>();
            if (loss.HasValue)
            {
                bool finite = !double.IsNaN(loss.Value) && !double.IsInfinity(loss.Value);
                readings.Add(new Reading(step, QuantityNames.Loss, loss.Value, 0, finite ? EstimateStatus.Converged : EstimateStatus.NonFinite,
                    finite ? null : "the training loss is not finite."));
            }

            foreach (var q in Quantities)
            {
                try
                {
                    q.OnStep(step);
                    if (!q.Schedule.ShouldCompute(step)) continue;
                    readings.AddRange(q.Compute(_model, step));
                    Charge(q.Name);
                }
                catch (Exception e)
                {
                    readings.Add(new Reading(step, "error/" + q.Name.Replace(' ', '_'), double.NaN, 0, EstimateStatus.ModelFailed,
                        $"{q.Name} failed: {e.GetType().Name}: {e.Message}"));
                }
            }

            foreach (var r in readings)
            {
                History.Add(r);
                if (r.IsFlagged) Flag(r);
            }

            var norm = readings.FirstOrDefault(r => r.Quantity == QuantityNames.JacobianNorm);
            if (norm != null && norm.HasValue && norm.Value > 0)
            {
                var change = Phases.Add(step, Math.Log(norm.Value));
                if (change != null) OnPhaseChange(change);
            }

            var margin = readings.FirstOrDefault(r => r.Quantity == QuantityNames.LearningRateMargin);
            if (margin != null && margin.HasValue) CheckBound(step, margin.Value);
            // One JSON line per step at which a quantity was computed (the loss alone stays in memory for the report).
            if (readings.Count > (loss.HasValue ? 1 : 0)) AppendHistory(step, readings);
            Charge("history");
        }

        /// <summary>Writes the SVG report (when <see cref="MonitorOptions.ReportPath"/> is set) and closes the history file. Never throws.</summary>
        public void Complete()
        {
            if (_completed) return;
            _completed = true;
            try
            {
                _history?.Dispose();
            }
            catch (Exception e)
            {
                _logger.LogWarning("could not close the history file: {Error}", e.Message);
            }

            _history = null;
            if (_options.ReportPath != null) WriteReport(_options.ReportPath);
        }

        /// <summary>Writes the SVG report to <paramref name="path"/>; returns false (and warns) when it could not.</summary>
        public bool WriteReport(string path)
        {
            try
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                File.WriteAllText(path, new TrainingReport(History, _options.Title).ToSvg(), new UTF8Encoding(false));
                return true;
            }
            catch (Exception e)
            {
                _logger.LogWarning("could not write the report {Path}: {Error}", path, e.Message);
                return false;
            }
        }

        /// <summary>Writes the whole history as JSON lines to <paramref name="path"/>; returns false (and warns) when it could not.</summary>
        public bool WriteHistory(string path)
        {
            try
            {
                using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
                History.WriteJsonLines(writer);
                return true;
            }
            catch (Exception e)
            {
                _logger.LogWarning("could not write the history {Path}: {Error}", path, e.Message);
                return false;
            }
        }

        public void Dispose() => Complete();

        private void OnPhaseChange(PhaseChange change)
        {
            History.Add(change);
            string message = change.To switch
            {
                TrainingPhase.Stagnation => "log||J|| is stagnating: no significant change of the Jacobian norm.",
                TrainingPhase.Descent => "log||J|| is descending: the Jacobian norm drops significantly.",
                TrainingPhase.Convergence => "log||J|| has converged: flat after its descent.",
                TrainingPhase.Growth => "log||J|| is growing: the Jacobian norm rises significantly; check the initialisation and the learning rate.",
                _ => $"phase {change.To}.",
            };
            _logger.LogInformation("step {Step}: {From} -> {To}. {Message}", change.Step, change.From, change.To, message);
            Raise(new MonitorEvent(change.Step, MonitorEventKind.PhaseChanged, message, phase: change));
        }

        private void CheckBound(long step, double margin)
        {
            double suggested = SuggestedLearningRate;
            if (margin > 1 && !_aboveBound)
            {
                _aboveBound = true;
                string message = $"learning rate {_model.LearningRate:G4} is above the stability bound 2/lambda_max (margin eta lambda_max / 2 = {margin:G3}); use at most {suggested:G3}.";
                _logger.LogWarning("step {Step}: {Message}", step, message);
                Raise(new MonitorEvent(step, MonitorEventKind.LearningRateAboveBound, message, suggestedLearningRate: suggested));
            }
            else if (margin <= 1 && _aboveBound)
            {
                _aboveBound = false;
                string message = $"learning rate is back below the stability bound (margin {margin:G3}).";
                _logger.LogInformation("step {Step}: {Message}", step, message);
                Raise(new MonitorEvent(step, MonitorEventKind.LearningRateBelowBound, message, suggestedLearningRate: suggested));
            }
        }

        private void Flag(Reading r)
        {
            _flagCounts.TryGetValue(r.Quantity, out int count);
            _flagCounts[r.Quantity] = count + 1;
            if (count % Math.Max(1, _options.FlagLogInterval) != 0) return;
            string message = $"{r.Quantity} flagged ({r.Status}): {r.Message ?? "no message"}" + (count > 0 ? $" ({count + 1} times so far)" : "");
            if (r.Status == EstimateStatus.NotConverged) _logger.LogInformation("step {Step}: {Message}", r.Step, message);
            else _logger.LogWarning("step {Step}: {Message}", r.Step, message);
            Raise(new MonitorEvent(r.Step, MonitorEventKind.FlaggedReading, message, reading: r));
        }

        private void Raise(MonitorEvent e)
        {
            History.Add(e);
            try
            {
                EventRaised?.Invoke(this, e);
            }
            catch (Exception ex)
            {
                // A subscriber's failure must not stop training either.
                _logger.LogWarning("an event handler failed: {Error}", ex.Message);
            }
        }

        private void AppendHistory(long step, List<Reading> readings)
        {
            if (_options.HistoryPath == null || _completed) return;
            try
            {
                if (_history == null)
                {
                    var dir = Path.GetDirectoryName(Path.GetFullPath(_options.HistoryPath));
                    if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
                    _history = new StreamWriter(_options.HistoryPath, false, new UTF8Encoding(false));
                }

                _history.WriteLine(MonitorHistory.ToJsonLine(step, readings, Phases.Phase));
            }
            catch (Exception e)
            {
                _logger.LogWarning("could not append to the history {Path}: {Error}; history streaming stops.", _options.HistoryPath, e.Message);
                _options.HistoryPath = null;
            }
        }
    }
}
