using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>
    /// The activation the critical-gain advice of FPT001/FPT002 is for, and the bias variance its critical weight
    /// variance is computed with.
    /// </summary>
    internal readonly struct DominantActivation
    {
        private DominantActivation(Activation activation, double biasVariance, int layers, int layersWithBiasVariance)
        {
            Activation = activation;
            BiasVariance = biasVariance;
            Layers = layers;
            LayersWithBiasVariance = layersWithBiasVariance;
        }

        /// <summary>The most frequent activation of the hidden layers (all but the last; the only layer when depth is 1); ties: the one that comes first.</summary>
        public Activation Activation { get; }

        /// <summary>
        /// The most common bias variance of the hidden layers with <see cref="Activation"/> (values within 1e-12 relative
        /// count as one); ties: the earliest layer's.
        /// </summary>
        public double BiasVariance { get; }

        /// <summary>How many hidden layers have <see cref="Activation"/>.</summary>
        public int Layers { get; }

        /// <summary>How many of them have <see cref="BiasVariance"/>: fewer than <see cref="Layers"/> when their bias variances differ.</summary>
        public int LayersWithBiasVariance { get; }

        public static DominantActivation Of(NetworkArchitecture network)
        {
            int hidden = Math.Max(1, network.Depth - 1);
            var group = network.Layers.Take(hidden).GroupBy(l => l.Activation).OrderByDescending(g => g.Count()).First();

            // Distinct bias variances of that activation's layers in order of first appearance, with how many layers have each.
            var distinct = new List<(double Value, int Count)>();
            foreach (var layer in group)
            {
                int k = distinct.FindIndex(d => SameVariance(d.Value, layer.BiasVariance));
                if (k < 0) distinct.Add((layer.BiasVariance, 1));
                else distinct[k] = (distinct[k].Value, distinct[k].Count + 1);
            }

            var common = distinct[0];
            foreach (var d in distinct)
            {
                if (d.Count > common.Count) common = d;
            }

            return new DominantActivation(group.Key, common.Value, group.Count(), common.Count);
        }

        /// <summary>
        /// The message's "{activation}": "tanh", "tanh with bias variance 0.0013", or, when the hidden tanh layers differ
        /// in bias variance, "tanh with bias variance 0.0013 (3 of the 4 hidden tanh layers)".
        /// </summary>
        public string Text()
        {
            if (LayersWithBiasVariance == Layers) return BiasVariance > 0 ? $"{Activation} with bias variance {Format.Number(BiasVariance)}" : Activation.ToString();
            return $"{Activation} with bias variance {Format.Number(BiasVariance)} ({LayersWithBiasVariance} of the {Layers} hidden {Activation} layers)";
        }

        private static bool SameVariance(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b));
    }
}
