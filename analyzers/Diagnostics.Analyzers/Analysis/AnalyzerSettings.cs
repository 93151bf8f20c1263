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

        /// <summary>q90 below this is vanishing (default <see cref="RegimeThresholds.Vanishing"/>, 1e-2).</summary>
        public double VanishingThreshold { get; private set; } = new RegimeThresholds().Vanishing;

        /// <summary>q90 above this is exploding (default <see cref="RegimeThresholds.Exploding"/>, 1e2).</summary>
        public double ExplodingThreshold { get; private set; } = new RegimeThresholds().Exploding;

        /// <summary>Variance q_0 of the input coordinates (default 1, standardised inputs).</summary>
        public double InputVariance { get; private set; } = 1;

        /// <summary>How long one analysis waits for a spectrum (default 3000 ms); slower ones finish in the background.</summary>
        public System.TimeSpan TimeBudget { get; private set; } = System.TimeSpan.FromMilliseconds(3000);

        /// <summary>A copy with another time budget (benchmarks and the command line wait for the result).</summary>
        public AnalyzerSettings WithTimeBudget(System.TimeSpan budget) => new AnalyzerSettings
        {
            VanishingThreshold = VanishingThreshold, ExplodingThreshold = ExplodingThreshold, InputVariance = InputVariance, TimeBudget = budget,
        };

        public static AnalyzerSettings Read(AnalyzerOptions options, SyntaxTree tree)
        {
            var settings = new AnalyzerSettings();
            var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
            if (TryRead(config, VanishingKey, out var v)) settings.VanishingThreshold = v;
            if (TryRead(config, ExplodingKey, out var e)) settings.ExplodingThreshold = e;
            if (TryRead(config, InputVarianceKey, out var q)) settings.InputVariance = q;
            if (TryRead(config, TimeBudgetKey, out var ms)) settings.TimeBudget = System.TimeSpan.FromMilliseconds(ms);
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
