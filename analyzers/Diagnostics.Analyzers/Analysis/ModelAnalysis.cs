using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra.Architecture;
using Microsoft.CodeAnalysis;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>Turns an extracted model into its diagnostics: FPT001/FPT002 by regime, FPT004 summary, FPT005 when not analysable.</summary>
    internal static class ModelAnalysis
    {
        public const string Q90Property = "q90";
        public const string DepthProperty = "depth";
        public const string ActivationProperty = "activation";
        public const string CriticalWeightVarianceProperty = "criticalWeightVariance";
        public const string BiasVarianceProperty = "biasVariance";
        public const string WeightVarianceProperty = "weightVariance";

        public static IEnumerable<Diagnostic> Analyze(ExtractedModel model, AnalyzerSettings settings, System.Threading.CancellationToken cancellation)
        {
            var mapped = ArchitectureMapper.Map(model, settings.InputVariance);
            if (mapped.Network == null)
            {
                yield return Diagnostic.Create(Descriptors.FPT005_ModelNotAnalysable, model.Location, model.Name, mapped.Failure);
                yield break;
            }

            var network = mapped.Network;
            var rateNotes = new List<string>();
            SpectrumCache.Start(network);
            foreach (var d in LearningRateBound.Check(model, network, settings, rateNotes, cancellation)) yield return d;
            var outcome = SpectrumCache.Get(network, settings.TimeBudget, cancellation);
            if (outcome == null)
            {
                yield return Diagnostic.Create(Descriptors.FPT005_ModelNotAnalysable, model.Location, model.Name,
                    $"the spectrum took longer than the time budget of {settings.TimeBudget.TotalMilliseconds:0} ms ({AnalyzerSettings.TimeBudgetKey}); it is computed in the background for the next analysis");
                yield break;
            }

            if (outcome.Law == null)
            {
                yield return Diagnostic.Create(Descriptors.FPT005_ModelNotAnalysable, model.Location, model.Name, "the spectral engine failed: " + outcome.Error);
                yield break;
            }

            var law = outcome.Law;
            double q90 = law.QuantileNonZero(0.9);
            var dominant = DominantActivation.Of(network);
            double? critical = outcome.CriticalWeightVariance;
            string weightText = WeightVarianceText(network);
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[Q90Property] = R(q90);
            properties[DepthProperty] = network.Depth.ToString(CultureInfo.InvariantCulture);
            properties[ActivationProperty] = dominant.Activation.ToString();
            properties[BiasVarianceProperty] = R(dominant.BiasVariance);
            properties[WeightVarianceProperty] = weightText;
            if (critical != null) properties[CriticalWeightVarianceProperty] = R(critical.Value);
            if (q90 < settings.VanishingThreshold || q90 > settings.ExplodingThreshold)
            {
                // What the per-layer critical-gain fix needs (only computed when FPT001/FPT002 is reported).
                var specs = SpectrumCache.CriticalSpecs(network, settings.TimeBudget, cancellation);
                var targets = LayerCriticalGains.Targets(model);
                if (specs != null) properties[LayerCriticalGains.LayerInitsProperty] = specs;
                if (targets != null) properties[LayerCriticalGains.LayerTargetsProperty] = targets;
                if (targets != null && model.CollectionCounts.Count > 0) properties[LayerCriticalGains.LayerCollectionsProperty] = LayerCriticalGains.Collections(model);
                properties[LayerCriticalGains.LayerFanInsProperty] = LayerCriticalGains.FanIns(network);
            }

            var props = properties.ToImmutable();

            string criticalText = critical == null ? "not found in [1e-4, 1e4]" : Format.Number(critical.Value);
            string phiText = dominant.Text();
            if (q90 < settings.VanishingThreshold)
                yield return Diagnostic.Create(Descriptors.FPT002_VanishingJacobianSpectrum, model.Location, props, Format.Number(q90), network.Depth, phiText, criticalText, weightText);
            else if (q90 > settings.ExplodingThreshold)
                yield return Diagnostic.Create(Descriptors.FPT001_ExplodingJacobianSpectrum, model.Location, props, Format.Number(q90), network.Depth, phiText, criticalText, weightText);

            var chi = law.Propagation.Chi;
            string chiText = chi.All(c => Math.Abs(c - chi[0]) <= 1e-9 * Math.Abs(chi[0])) ? Format.Number(chi[0]) + " (every layer)" : string.Join(", ", chi.Select(Format.Number));
            var deciles = string.Join(", ", Enumerable.Range(1, 9).Select(k => Format.Number(law.QuantileNonZero(k / 10.0))));
            var extra = new List<string>();
            if (law.AtomAtZero > 1e-12) extra.Add($"atom at zero {Format.Number(law.AtomAtZero)}");
            extra.AddRange(model.Notes);
            foreach (var optimizer in model.Optimizers)
            {
                var rate = optimizer.RateText(Format.Number);
                extra.Add($"optimizer {optimizer.Kind} with learning rate {rate}");
            }

            extra.AddRange(rateNotes);

            yield return Diagnostic.Create(Descriptors.FPT004_JacobianSpectrumSummary, model.Location, props,
                model.Name, network.Depth, string.Join(", ", network.Widths), chiText, deciles,
                extra.Count == 0 ? "" : "; " + string.Join("; ", extra));
        }

        private static string WeightVarianceText(NetworkArchitecture network)
        {
            int hidden = Math.Max(1, network.Depth - 1);
            var values = network.Layers.Take(hidden).Select(l => l.WeightVariance).ToList();
            double min = values.Min(), max = values.Max();
            var text = Math.Abs(max - min) <= 1e-12 * max ? Format.Number(min) : $"{Format.Number(min)} to {Format.Number(max)}";
            return network.Layers.Take(hidden).Any(l => l.Weights == WeightDistribution.Orthogonal) ? text + " (orthogonal)" : text;
        }

        private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    }
}
