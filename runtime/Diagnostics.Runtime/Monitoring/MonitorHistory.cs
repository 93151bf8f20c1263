using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Diagnostics.Runtime.Phases;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>All readings of a run, by series, and the phase changes; written as JSON lines (one object per step).</summary>
    public sealed class MonitorHistory
    {
        private readonly Dictionary<string, List<Reading>> _series = new Dictionary<string, List<Reading>>(StringComparer.Ordinal);
        private readonly List<PhaseChange> _phases = new List<PhaseChange>();
        private readonly List<MonitorEvent> _events = new List<MonitorEvent>();

        /// <summary>Names of the recorded series.</summary>
        public IEnumerable<string> SeriesNames => _series.Keys;

        /// <summary>The readings of one series in step order (empty when never recorded).</summary>
        public IReadOnlyList<Reading> Series(string quantity) =>
            _series.TryGetValue(quantity, out var list) ? list : (IReadOnlyList<Reading>)Array.Empty<Reading>();

        public IReadOnlyList<PhaseChange> PhaseChanges => _phases;

        public IReadOnlyList<MonitorEvent> Events => _events;

        /// <summary>The last step with a reading (-1 when empty).</summary>
        public long LastStep => _series.Count == 0 ? -1 : _series.Values.Where(l => l.Count > 0).Select(l => l[l.Count - 1].Step).DefaultIfEmpty(-1).Max();

        internal void Add(Reading reading)
        {
            if (!_series.TryGetValue(reading.Quantity, out var list)) _series[reading.Quantity] = list = new List<Reading>();
            list.Add(reading);
        }

        internal void Add(PhaseChange change) => _phases.Add(change);

        internal void Add(MonitorEvent e) => _events.Add(e);

        /// <summary>One JSON object for the readings of one step: {"step":s,"jacobian_norm":v,"jacobian_norm_err":e,...,"flags":{...}}.</summary>
        public static string ToJsonLine(long step, IEnumerable<Reading> readings, TrainingPhase? phase = null)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WriteNumber("step", step);
                if (phase != null) w.WriteString("phase", phase.Value.ToString());
                var flagged = new List<Reading>();
                foreach (var r in readings)
                {
                    if (r.HasValue) w.WriteNumber(r.Quantity, r.Value);
                    else w.WriteNull(r.Quantity);
                    if (r.ErrorBar > 0 && !double.IsNaN(r.ErrorBar) && !double.IsInfinity(r.ErrorBar)) w.WriteNumber(r.Quantity + "_err", r.ErrorBar);
                    if (r.IsFlagged) flagged.Add(r);
                }

                if (flagged.Count > 0)
                {
                    w.WriteStartObject("flags");
                    foreach (var r in flagged) w.WriteString(r.Quantity, r.Status + (r.Message == null ? "" : ": " + r.Message));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>Writes the whole history as JSON lines, one per step with readings, then one line per phase change.</summary>
        public void WriteJsonLines(TextWriter writer)
        {
            foreach (var group in _series.Values.SelectMany(l => l).GroupBy(r => r.Step).OrderBy(g => g.Key))
                writer.WriteLine(ToJsonLine(group.Key, group));
            foreach (var change in _phases)
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteNumber("step", change.Step);
                    w.WriteString("event", "phase_change");
                    w.WriteString("from", change.From.ToString());
                    w.WriteString("to", change.To.ToString());
                    w.WriteEndObject();
                }

                writer.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
            }
        }
    }
}
