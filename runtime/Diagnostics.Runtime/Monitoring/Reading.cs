using System.Globalization;
using Diagnostics.Runtime.Estimators;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>One plain number recorded at one step (never a live tensor).</summary>
    public sealed class Reading
    {
        public Reading(long step, string quantity, double value, double errorBar = 0, EstimateStatus status = EstimateStatus.Converged, string? message = null)
        {
            Step = step;
            Quantity = quantity;
            Value = value;
            ErrorBar = errorBar;
            Status = status;
            Message = message;
        }

        public long Step { get; }

        /// <summary>The name of the series (<see cref="QuantityNames"/>).</summary>
        public string Quantity { get; }

        public double Value { get; }

        public double ErrorBar { get; }

        public EstimateStatus Status { get; }

        /// <summary>Why the reading is flagged, when it is.</summary>
        public string? Message { get; }

        /// <summary>A flagged reading: NaN/infinity, a failing model, or an estimate stopped by its iteration cap.</summary>
        public bool IsFlagged => Status != EstimateStatus.Converged;

        /// <summary>True when <see cref="Value"/> is a finite number.</summary>
        public bool HasValue => (Status == EstimateStatus.Converged || Status == EstimateStatus.NotConverged) && !double.IsNaN(Value) && !double.IsInfinity(Value);

        internal static Reading From(long step, string quantity, Estimate e) => new Reading(step, quantity, e.Value, e.ErrorBar, e.Status, e.Message);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} @ {1}: {2:G6} +- {3:G2} {4}", Quantity, Step, Value, ErrorBar, Status);
    }

    /// <summary>The names of the recorded series.</summary>
    public static class QuantityNames
    {
        public const string Loss = "loss";
        public const string JacobianNorm = "jacobian_norm";
        public const string MeanSquaredSingularValue = "chi";
        public const string Sharpness = "lambda_max";
        public const string LearningRate = "learning_rate";
        public const string LearningRateBound = "lr_bound";
        public const string LearningRateMargin = "lr_margin";
        public const string GradientNormPrefix = "grad_norm/";
        public const string GradientNormTotal = "grad_norm/total";
        public const string SpectrumLargest = "spectrum_lambda_max";
        public const string SpectrumMean = "spectrum_mean";
    }
}
