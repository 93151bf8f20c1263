using System;
using System.Collections.Generic;
using System.Linq;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>When a quantity is computed: a value deciding, for each training step (counted from 0), whether to compute.</summary>
    public abstract class Schedule
    {
        /// <summary>True when the quantity is computed at <paramref name="step"/>.</summary>
        public abstract bool ShouldCompute(long step);

        /// <summary>Every <paramref name="k"/>-th step from <paramref name="start"/> on (start, start + k, ...).</summary>
        public static Schedule Every(int k, long start = 0)
        {
            if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "the period must be a positive number of steps.");
            return new EverySchedule(k, start);
        }

        /// <summary>Step 0 and the steps floor(10^(i / perDecade)), i = 0, 1, ...: dense early, sparse late.</summary>
        public static Schedule LogSpaced(int perDecade = 10)
        {
            if (perDecade <= 0) throw new ArgumentOutOfRangeException(nameof(perDecade), perDecade, "the number of points per decade must be positive.");
            return new LogSpacedSchedule(perDecade);
        }

        /// <summary>The given steps only.</summary>
        public static Schedule At(params long[] steps) => new AtSchedule(steps);

        /// <summary>Never: the quantity is off.</summary>
        public static Schedule Never { get; } = new AtSchedule(Array.Empty<long>());

        /// <summary>Computed when this schedule or <paramref name="other"/> says so.</summary>
        public Schedule Or(Schedule other) => new OrSchedule(this, other);

        private sealed class EverySchedule : Schedule
        {
            private readonly int _k;
            private readonly long _start;

            public EverySchedule(int k, long start)
            {
                _k = k;
                _start = start;
            }

            public override bool ShouldCompute(long step) => step >= _start && (step - _start) % _k == 0;

            public override string ToString() => _start == 0 ? $"every {_k}" : $"every {_k} from {_start}";
        }

        private sealed class LogSpacedSchedule : Schedule
        {
            private readonly int _perDecade;

            public LogSpacedSchedule(int perDecade) => _perDecade = perDecade;

            public override bool ShouldCompute(long step)
            {
                if (step <= 1) return step >= 0;
                // Candidates i near perDecade log10(step): floor(10^(i/perDecade)) == step for one of them.
                int centre = (int)Math.Round(_perDecade * Math.Log10(step));
                for (int i = centre - 2; i <= centre + 2; i++)
                    if (i >= 0 && (long)Math.Floor(Math.Pow(10, (double)i / _perDecade) + 1e-9) == step) return true;
                return false;
            }

            public override string ToString() => $"log-spaced ({_perDecade} per decade)";
        }

        private sealed class AtSchedule : Schedule
        {
            private readonly HashSet<long> _steps;

            public AtSchedule(IEnumerable<long> steps) => _steps = new HashSet<long>(steps);

            public override bool ShouldCompute(long step) => _steps.Contains(step);

            public override string ToString() => _steps.Count == 0 ? "never" : "at " + string.Join(", ", _steps.OrderBy(s => s));
        }

        private sealed class OrSchedule : Schedule
        {
            private readonly Schedule _a;
            private readonly Schedule _b;

            public OrSchedule(Schedule a, Schedule b)
            {
                _a = a;
                _b = b;
            }

            public override bool ShouldCompute(long step) => _a.ShouldCompute(step) || _b.ShouldCompute(step);

            public override string ToString() => $"{_a} or {_b}";
        }
    }
}
