using System.Globalization;
using Diagnostics.Spectra.Laws;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>The .editorconfig keys of the fpt rules (documented in docs/rules), with the engine's defaults.</summary>
    internal sealed class AnalyzerSettings
    {
        public const string VanishingKey = "fpt_vanishing_quantile_threshold";
        public const string ExplodingKey = "fpt_exploding_quantile_threshold";
        public const string InputVarianceKey = "fpt_input_variance";
        public const string TimeBudgetKey = "fpt_time_budget_ms";
        public const string LossKey = "fpt_learning_rate_loss";
        public const string FractionKey = "fpt_learning_rate_fix_fraction";

        /// <summary>q90 below this is vanishing (default <see cref="RegimeThresholds.Vanishing"/>, 1e-2).</summary>
        public double VanishingThreshold { get; private set; } = new RegimeThresholds().Vanishing;

        /// <summary>q90 above this is exploding (default <see cref="RegimeThresholds.Exploding"/>, 1e2).</summary>
        public double ExplodingThreshold { get; private set; } = new RegimeThresholds().Exploding;

        /// <summary>Variance q_0 of the input coordinates (default 1, standardised inputs).</summary>
        public double InputVariance { get; private set; } = 1;

        /// <summary>How long one analysis waits for a spectrum (default 3000 ms); slower ones finish in the background.</summary>
        public System.TimeSpan TimeBudget { get; private set; } = System.TimeSpan.FromMilliseconds(3000);

        /// <summary>
        /// The loss whose SGD stability bound FPT003 checks: <c>mse_mean</c> (default, TorchSharp mse_loss / MSELoss with the
        /// default mean reduction: 1/lambda_max), <c>mse_sum</c> (reduction Sum, batch 1: 1/(M lambda_max)) or <c>half_mse</c>
        /// ((1/(2M))|y - f|^2 per sample, Hayase and Karakida's normalisation: 2/lambda_max).
        /// </summary>
        public Diagnostics.Spectra.Fisher.LossNormalisation Loss { get; private set; } = Diagnostics.Spectra.Fisher.LossNormalisation.TorchMseLossMean;

        /// <summary>The fraction of the bound the FPT003 fix writes (default 0.5; must lie in (0, 1]).</summary>
        public double LearningRateFraction { get; private set; } = 0.5;

        /// <summary>A copy with another time budget (benchmarks and the command line wait for the result).</summary>
        public AnalyzerSettings WithTimeBudget(System.TimeSpan budget) => new AnalyzerSettings
        {
            VanishingThreshold = VanishingThreshold, ExplodingThreshold = ExplodingThreshold, InputVariance = InputVariance, TimeBudget = budget,
            Loss = Loss, LearningRateFraction = LearningRateFraction,
        };

        public static AnalyzerSettings Read(AnalyzerOptions options, SyntaxTree tree)
        {
            var settings = new AnalyzerSettings();
            var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            if (TryRead(config, VanishingKey, out var v)) settings.VanishingThreshold = v;
            if (TryRead(config, ExplodingKey, out var e)) settings.ExplodingThreshold = e;
            if (TryRead(config, InputVarianceKey, out var q)) settings.InputVariance = q;
            if (TryRead(config, TimeBudgetKey, out var ms)) settings.TimeBudget = System.TimeSpan.FromMilliseconds(ms);
            if (TryRead(config, FractionKey, out var f) && f <= 1) settings.LearningRateFraction = f;
            if (config.TryGetValue(LossKey, out var loss))
            {
                switch (loss.Trim())
                {
                    case "mse_mean": settings.Loss = Diagnostics.Spectra.Fisher.LossNormalisation.TorchMseLossMean; break;
                    case "mse_sum": settings.Loss = Diagnostics.Spectra.Fisher.LossNormalisation.TorchMseLossSum; break;
                    case "half_mse": settings.Loss = Diagnostics.Spectra.Fisher.LossNormalisation.HalfMeanSquaredError; break;
                }
            }
            return settings;
        }

        private static bool TryRead(AnalyzerConfigOptions config, string key, out double value)
        {
            value = 0;
            return config.TryGetValue(key, out var text)
                && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
                && value > 0 && !double.IsInfinity(value);
        }
    }
}
