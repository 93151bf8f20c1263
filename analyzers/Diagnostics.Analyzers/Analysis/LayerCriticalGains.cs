using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>
    /// The critical initialisation of each Linear layer for the per-layer critical-gain fix: the sigma_w^2 with
    /// chi = 1 for that layer's own activation and bias variance, and how the fix can address the layer's weight.
    /// </summary>
    /// <remarks>
    /// Per layer l: chi_l = sigma_w^2 E[phi_l'(sqrt(q*) Z)^2] = 1 at the fixed point q* of that activation and bias variance
    /// (Poole et al. 2016; Schoenholz et al. 2017), i.e. <see cref="CriticalGain.AtFixedPoint"/>(phi_l, sigma_b,l^2), the same
    /// value the single-activation fix uses, taken layer by layer. For ReLU, leaky ReLU and the identity chi does not depend on
    /// q and the value is exact (kaiming_normal_: 2, 2 / (1 + a^2), 1).
    /// </remarks>
    internal static class LayerCriticalGains
    {
        /// <summary>Per-layer specs joined by ';': "relu", "identity", "leaky_relu(a)" (kaiming_normal_) or "phi=c" (normal_ with sigma_w^2 = c).</summary>
        public const string LayerInitsProperty = "layerInits";

        /// <summary>Fan-in of each layer joined by ';' (normal_ takes std = sqrt(c / fan_in)).</summary>
        public const string LayerFanInsProperty = "layerFanIns";

        /// <summary>
        /// "sequential" (k-th weight of the model's named_parameters()), "container:F" (of the Sequential field F) or
        /// "fields:a,b,..." (a.weight, ...; an element of a collection field of Linear layers is written layers[k]).
        /// </summary>
        public const string LayerTargetsProperty = "layerTargets";

        /// <summary>The collection fields among the targets with their element counts, "layers=6;blocks=3" (the fix loops over a collection whose layers all get one init).</summary>
        public const string LayerCollectionsProperty = "layerCollections";

        private const int Capacity = 4096;

        private static readonly ConcurrentDictionary<string, double?> Criticals = new ConcurrentDictionary<string, double?>(StringComparer.Ordinal);

        /// <summary>CriticalGain.AtFixedPoint(phi, biasVariance), cached; null when there is none in [1e-4, 1e4].</summary>
        /// <exception cref="SpectralException">Not thrown for a missing critical value (null); other engine errors propagate.</exception>
        public static double? Critical(Activation phi, double biasVariance)
        {
            var key = phi + "|" + biasVariance.ToString("R", CultureInfo.InvariantCulture);
            if (Criticals.Count >= Capacity) Criticals.Clear();
            return Criticals.GetOrAdd(key, _ =>
            {
                try
                {
                    return CriticalGain.AtFixedPoint(phi, biasVariance);
                }
                catch (SpectralConvergenceException)
                {
                    return null;
                }
            });
        }

        /// <summary>Empties the cache of critical values (cold benchmarks).</summary>
        public static void Clear() => Criticals.Clear();

        /// <summary>The per-layer specs, or null when a layer has no critical variance in [1e-4, 1e4].</summary>
        public static string? Specs(NetworkArchitecture network)
        {
            var specs = new List<string>();
            foreach (var layer in network.Layers)
            {
                var phi = layer.Activation;
                if (phi.Kind == ActivationKind.Relu || phi.Kind == ActivationKind.Identity || phi.Kind == ActivationKind.LeakyRelu)
                {
                    specs.Add(phi.ToString());
                    continue;
                }

                var c = Critical(phi, layer.BiasVariance);
                if (c == null) return null;
                specs.Add(phi + "=" + c.Value.ToString("R", CultureInfo.InvariantCulture));
            }

            return string.Join(";", specs);
        }

        /// <summary>
        /// "layers=6;blocks=3=cast": the collection fields whose elements are layers of the model, with their counts, and
        /// "=cast" when the field is not declared as a collection of Linear (ModuleList&lt;Module&lt;Tensor, Tensor&gt;&gt;:
        /// the fix casts the element to Linear to reach its weight).
        /// </summary>
        public static string Collections(ExtractedModel model)
        {
            var cls = model.Node as ClassDeclarationSyntax;
            return string.Join(";", model.CollectionCounts.Where(c => model.LinearLayers().Any(l => l.Collection == c.Key))
                .Select(c => c.Key + "=" + c.Value.ToString(CultureInfo.InvariantCulture) + (cls != null && HoldsLinear(cls, c.Key) ? "" : "=cast")));
        }

        private static string? ElementAddress(LinearLayerInfo layer) =>
            layer.Collection != null && layer.Index != null ? layer.Collection + "[" + layer.Index.Value.ToString(CultureInfo.InvariantCulture) + "]" : null;

        /// <summary>Whether the field is declared as a collection of Linear (its elements have a weight: ModuleList&lt;Linear&gt;, List&lt;Linear&gt;, Linear[]).</summary>
        private static bool HoldsLinear(ClassDeclarationSyntax cls, string field)
        {
            var type = cls.Members.OfType<FieldDeclarationSyntax>().FirstOrDefault(f => f.Declaration.Variables.Any(v => v.Identifier.ValueText == field))?.Declaration.Type
                ?? cls.Members.OfType<PropertyDeclarationSyntax>().FirstOrDefault(p => p.Identifier.ValueText == field)?.Type;
            TypeSyntax? element = type switch
            {
                ArrayTypeSyntax array when array.RankSpecifiers.Count == 1 => array.ElementType,
                GenericNameSyntax g when g.TypeArgumentList.Arguments.Count == 1 => g.TypeArgumentList.Arguments[0],
                QualifiedNameSyntax q when q.Right is GenericNameSyntax qg && qg.TypeArgumentList.Arguments.Count == 1 => qg.TypeArgumentList.Arguments[0],
                _ => null,
            };
            var name = element switch
            {
                IdentifierNameSyntax id => id.Identifier.ValueText,
                QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                _ => null,
            };
            return name == "Linear";
        }

        public static string FanIns(NetworkArchitecture network) =>
            string.Join(";", network.Widths.Take(network.Depth).Select(w => w.ToString(CultureInfo.InvariantCulture)));

        /// <summary>
        /// How the fix addresses each layer's weight in order, or null when it cannot do so exactly: a root Sequential
        /// registers its modules in order (only Linear layers carry weights in an analysable model); a Module subclass
        /// by its Linear fields and the elements of its collection fields (layers[k]; see <see cref="Collections"/> for
        /// the cast of a collection of modules), or by the order of one Sequential field; a layer object used twice is
        /// declined.
        /// </summary>
        public static string? Targets(ExtractedModel model)
        {
            var layers = model.LinearLayers().ToList();
            var named = layers.Where(l => l.Name != null && ElementAddress(l) == null).Select(l => l.Name!).ToList();
            if (named.Distinct(StringComparer.Ordinal).Count() != named.Count) return null;
            if (model.Node is InvocationExpressionSyntax) return "sequential";
            if (!(model.Node is ClassDeclarationSyntax cls)) return null;
            var fields = new HashSet<string>(
                cls.Members.OfType<FieldDeclarationSyntax>().SelectMany(f => f.Declaration.Variables.Select(v => v.Identifier.ValueText))
                    .Concat(cls.Members.OfType<PropertyDeclarationSyntax>().Select(p => p.Identifier.ValueText)),
                StringComparer.Ordinal);
            var addresses = layers.Select(l => l.Collection != null ? ElementAddress(l)
                : l.Container == null && l.Collection == null && l.Name != null && fields.Contains(l.Name) ? l.Name : null).ToList();
            if (addresses.All(a => a != null) && addresses.Distinct(StringComparer.Ordinal).Count() == addresses.Count) return "fields:" + string.Join(",", addresses);
            var containers = layers.Select(l => l.Container).Distinct().ToList();
            return containers.Count == 1 && containers[0] != null ? "container:" + containers[0] : null;
        }
    }
}
