using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// What is pruned and how: sparsity s (the fraction of weights removed), the method, whether the kept weights are
    /// rescaled to restore the dense variance, and which layers are pruned (all by default).
    /// </summary>
    public sealed class PruningSpecification
    {
        private readonly int[]? _prunedLayers;

        /// <param name="sparsity">s in [0, 1): the fraction of the weights of each pruned layer that is removed.</param>
        /// <param name="method">Random (each weight kept with probability 1 - s) or magnitude (largest |w| kept).</param>
        /// <param name="rescale">Multiply the kept weights by the inverse square root of the variance factor.</param>
        /// <param name="prunedLayers">1-based indices of the pruned layers; null for every layer.</param>
        /// <exception cref="InvalidArchitectureException">s is not a finite number in [0, 1), or a layer index repeats or is below 1.</exception>
        public PruningSpecification(double sparsity, PruningMethod method = PruningMethod.Random, bool rescale = true, IReadOnlyList<int>? prunedLayers = null)
        {
            CheckSparsity(sparsity);
            if (!Enum.IsDefined(typeof(PruningMethod), method))
                throw new InvalidArchitectureException($"unknown pruning method {(int)method}; expected random or magnitude.");
            if (prunedLayers != null)
            {
                if (prunedLayers.Any(l => l < 1))
                    throw new InvalidArchitectureException($"pruned layer indices are 1-based, got {string.Join(",", prunedLayers)}.");
                if (prunedLayers.Distinct().Count() != prunedLayers.Count)
                    throw new InvalidArchitectureException($"pruned layer indices repeat: {string.Join(",", prunedLayers)}.");
                _prunedLayers = prunedLayers.OrderBy(l => l).ToArray();
            }

            Sparsity = sparsity;
            Method = method;
            Rescale = rescale;
        }

        /// <summary>s, the fraction of weights removed from each pruned layer.</summary>
        public double Sparsity { get; }

        /// <summary>1 - s, the fraction kept.</summary>
        public double Density => 1 - Sparsity;

        public PruningMethod Method { get; }

        /// <summary>True when the kept weights are rescaled so that the pruned layer has the dense variance.</summary>
        public bool Rescale { get; }

        /// <summary>1-based indices of the pruned layers; null means every layer.</summary>
        public IReadOnlyList<int>? PrunedLayers => _prunedLayers;

        /// <summary>Whether layer <paramref name="layer"/> (1-based) is pruned.</summary>
        public bool IsPruned(int layer) => _prunedLayers == null || Array.IndexOf(_prunedLayers, layer) >= 0;

        /// <summary>Canonical name of a method: "random" or "magnitude".</summary>
        public static string MethodName(PruningMethod method) => method == PruningMethod.Magnitude ? "magnitude" : "random";

        /// <summary>Parses "random" or "magnitude" (case-insensitive).</summary>
        /// <exception cref="InvalidArchitectureException">Any other name.</exception>
        public static PruningMethod ParseMethod(string name) => (name ?? "").Trim().ToLowerInvariant() switch
        {
            "random" => PruningMethod.Random,
            "magnitude" => PruningMethod.Magnitude,
            _ => throw new InvalidArchitectureException($"unknown pruning method '{name}'; expected random or magnitude."),
        };

        internal static void CheckSparsity(double sparsity)
        {
            if (!(sparsity >= 0 && sparsity < 1))
                throw new InvalidArchitectureException(
                    $"sparsity must be a number in [0, 1) (the fraction of weights removed), got {sparsity.ToString("R", CultureInfo.InvariantCulture)}.");
        }
    }
}
