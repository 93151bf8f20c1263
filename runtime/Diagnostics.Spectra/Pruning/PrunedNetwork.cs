using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// A dense architecture with a pruning specification, and the dense-law-equivalent architecture whose weight
    /// variances carry the pruning: sigma_l^2 becomes sigma_l^2 v_l with v_l the variance factor of layer l
    /// (1 - s for random pruning, t_N(k) for magnitude pruning, 1 for unpruned layers), or stays sigma_l^2 when the
    /// kept weights are rescaled by v_l^(-1/2).
    /// </summary>
    /// <remarks>
    /// Universality: a pruned Gaussian matrix has iid entries (random pruning: w b, b ~ Bernoulli(1 - s); magnitude
    /// pruning: w 1{|w| &gt; tau} up to the O(N^-1/2) fluctuation of the empirical threshold) with variance v sigma^2 / fan_in
    /// and a fourth moment of order 1 / (1 - s) times the Gaussian one. While the mean number of kept weights per row
    /// (1 - s) fan_in grows, the free-probability law of the Jacobian (and the mean-field q_l, chi_l) depends on the entries
    /// only through their variance (Dadoun et al. 2025: universality of Jacobian products for sparse weights under (1 - s) &gt;&gt; log(n)^5 / n; Theorem 6 for magnitude pruning). Measured accuracy and
    /// where it fails: docs/engine/pruning.md.
    /// </remarks>
    public sealed class PrunedNetwork
    {
        private PrunedNetwork(NetworkArchitecture dense, PruningSpecification pruning, NetworkArchitecture effective, double[] varianceFactors,
            double[] rescaleFactors, long[] keptCounts)
        {
            Dense = dense;
            Pruning = pruning;
            Effective = effective;
            VarianceFactors = varianceFactors;
            RescaleFactors = rescaleFactors;
            KeptCounts = keptCounts;
        }

        public NetworkArchitecture Dense { get; }

        public PruningSpecification Pruning { get; }

        /// <summary>The dense architecture whose Jacobian law is that of the pruned network (weight variances sigma_l^2 x effective factor).</summary>
        public NetworkArchitecture Effective { get; }

        /// <summary>
        /// v_l per layer: the expected fraction of the layer's sum of squared weights kept by the pruning (before any
        /// rescaling); 1 for unpruned layers.
        /// </summary>
        public IReadOnlyList<double> VarianceFactors { get; }

        /// <summary>Factor applied to the kept weights of each layer: v_l^(-1/2) when rescaling, else 1.</summary>
        public IReadOnlyList<double> RescaleFactors { get; }

        /// <summary>
        /// What multiplies sigma_l^2 in <see cref="Effective"/>: v_l without rescaling, 1 with rescaling.
        /// </summary>
        public IReadOnlyList<double> EffectiveVarianceFactors => Effective.Layers.Select((l, i) => l.WeightVariance / Dense.Layers[i].WeightVariance).ToArray();

        /// <summary>Kept weights per layer: the expected count (1 - s) N for random pruning, round((1 - s) N) for magnitude pruning, N for unpruned layers.</summary>
        public IReadOnlyList<long> KeptCounts { get; }

        /// <summary>Number of pruned layers.</summary>
        public int PrunedLayerCount => Enumerable.Range(1, Dense.Depth).Count(Pruning.IsPruned);

        /// <summary>Builds the pruned network description.</summary>
        /// <exception cref="InvalidArchitectureException">
        /// A pruned layer index exceeds the depth, a pruned layer has orthogonal weights (not supported: a pruned orthogonal
        /// matrix is not in the Gaussian universality class), or the sparsity keeps no weight of a layer.
        /// </exception>
        public static PrunedNetwork Create(NetworkArchitecture dense, PruningSpecification pruning)
        {
            if (dense == null) throw new InvalidArchitectureException("network is null.");
            if (pruning == null) throw new InvalidArchitectureException("pruning specification is null.");
            if (pruning.PrunedLayers != null && pruning.PrunedLayers.Any(l => l > dense.Depth))
                throw new InvalidArchitectureException(
                    $"pruned layer {pruning.PrunedLayers.Max()} does not exist: the network has {dense.Depth} layer{(dense.Depth == 1 ? "" : "s")}.");
            int depth = dense.Depth;
            var factors = new double[depth];
            var rescale = new double[depth];
            var kept = new long[depth];
            var layers = new Layer[depth];
            var magnitudeFactors = new Dictionary<(long, long), double>(); // layers of equal size share t_N(k)
            for (int l = 0; l < depth; l++)
            {
                var layer = dense.Layers[l];
                long entries = (long)dense.Widths[l] * dense.Widths[l + 1];
                if (!pruning.IsPruned(l + 1) || pruning.Sparsity == 0)
                {
                    factors[l] = 1;
                    rescale[l] = 1;
                    kept[l] = entries;
                    layers[l] = layer;
                    continue;
                }

                if (layer.Weights != WeightDistribution.Gaussian)
                    throw new InvalidArchitectureException(
                        $"layer {l + 1} has orthogonal weights: pruning is supported for Gaussian weights only (a pruned orthogonal matrix is not Gaussian-universal).");
                if (pruning.Method == PruningMethod.Random)
                {
                    factors[l] = pruning.Density;
                    kept[l] = (long)System.Math.Round(pruning.Density * entries);
                    if (kept[l] == 0)
                        throw new InvalidArchitectureException(
                            $"sparsity {pruning.Sparsity.ToString("R", CultureInfo.InvariantCulture)} keeps no weight (in expectation less than half of one) of layer {l + 1} ({entries} weights).");
                }
                else
                {
                    kept[l] = MagnitudePruningFactor.KeptCount(entries, pruning.Sparsity);
                    if (kept[l] == 0)
                        throw new InvalidArchitectureException(
                            $"sparsity {pruning.Sparsity.ToString("R", CultureInfo.InvariantCulture)} keeps no weight of layer {l + 1} ({entries} weights).");
                    if (!magnitudeFactors.TryGetValue((entries, kept[l]), out double t))
                    {
                        t = MagnitudePruningFactor.Finite(entries, kept[l]);
                        magnitudeFactors[(entries, kept[l])] = t;
                    }

                    factors[l] = t;
                }

                rescale[l] = pruning.Rescale ? 1 / System.Math.Sqrt(factors[l]) : 1;
                double variance = pruning.Rescale ? layer.WeightVariance : layer.WeightVariance * factors[l];
                layers[l] = new Layer(layer.Activation, variance, layer.BiasVariance, layer.Weights);
            }

            var effective = new NetworkArchitecture(dense.Widths, layers, dense.InputVariance);
            return new PrunedNetwork(dense, pruning, effective, factors, rescale, kept);
        }
    }
}
