using System.Globalization;

namespace Diagnostics.Runtime.Estimators
{
    /// <summary>How an estimate ended.</summary>
    public enum EstimateStatus
    {
        /// <summary>Converged to the requested tolerance.</summary>
        Converged,

        /// <summary>The iteration cap was reached first: the value is usable, the error bar says how far it may be.</summary>
        NotConverged,

        /// <summary>The model returned NaN or infinity: no value.</summary>
        NonFinite,

        /// <summary>The model threw (disposed, device error, wrong sizes): no value.</summary>
        ModelFailed,
    }

    /// <summary>One number measured on a model, with its error bar and what it cost.</summary>
    public sealed class Estimate
    {
        public Estimate(double value, double errorBar, int iterations, int passes, EstimateStatus status, string? message = null)
        {
            Value = value;
            ErrorBar = errorBar;
            Iterations = iterations;
            Passes = passes;
            Status = status;
            Message = message;
        }

        /// <summary>The estimate (NaN when <see cref="HasValue"/> is false).</summary>
        public double Value { get; }

        /// <summary>
        /// Half-width of the uncertainty: a residual bound for Lanczos eigenvalues (some eigenvalue lies within it), one
        /// standard error for Hutchinson averages.
        /// </summary>
        public double ErrorBar { get; }

        /// <summary>Iterations (Lanczos steps, Hutchinson samples) used.</summary>
        public int Iterations { get; }

        /// <summary>Extra forward/backward passes over the probe batch spent (the cost).</summary>
        public int Passes { get; }

        public EstimateStatus Status { get; }

        /// <summary>What went wrong, for flagged estimates.</summary>
        public string? Message { get; }

        /// <summary>True when <see cref="Value"/> is a number (converged or stopped by the cap).</summary>
        public bool HasValue => Status == EstimateStatus.Converged || Status == EstimateStatus.NotConverged;

        internal static Estimate Failed(EstimateStatus status, string message, int iterations = 0, int passes = 0) =>
            new Estimate(double.NaN, double.NaN, iterations, passes, status, message);

        public override string ToString() => HasValue
            ? string.Format(CultureInfo.InvariantCulture, "{0:G6} +- {1:G2} ({2}, {3} iterations)", Value, ErrorBar, Status, Iterations)
            : $"{Status}: {Message}";
    }
}
