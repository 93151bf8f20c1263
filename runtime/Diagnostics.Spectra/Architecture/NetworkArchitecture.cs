using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Diagnostics.Spectra.Architecture
{
    /// <summary>One layer x_l = phi_l(W_l x_{l-1} + b_l).</summary>
    public sealed class Layer
    {
        public Layer(Activation activation, double weightVariance, double biasVariance = 0, WeightDistribution weights = WeightDistribution.Gaussian)
        {
            Activation = activation ?? throw new InvalidArchitectureException("a layer needs an activation.");
            WeightVariance = weightVariance;
            BiasVariance = biasVariance;
            Weights = weights;
        }

        public Activation Activation { get; }

        /// <summary>sigma_w^2: Gaussian entries have variance sigma_w^2 / fan_in; orthogonal weights are sigma_w Q.</summary>
        public double WeightVariance { get; }

        /// <summary>sigma_b^2: bias entries iid N(0, sigma_b^2).</summary>
        public double BiasVariance { get; }

        public WeightDistribution Weights { get; }
    }

    /// <summary>
    /// A fully connected network with widths N_0..N_L and one <see cref="Layer"/> per weight matrix.
    /// Immutable; validated on construction.
    /// </summary>
    public sealed class NetworkArchitecture
    {
        private readonly int[] _widths;
        private readonly Layer[] _layers;

        /// <exception cref="InvalidArchitectureException">Widths or layer parameters are not valid.</exception>
        public NetworkArchitecture(IReadOnlyList<int> widths, IReadOnlyList<Layer> layers, double inputVariance = 1)
        {
            if (widths == null || widths.Count < 2)
                throw new InvalidArchitectureException("a network needs at least two widths (input and output).");
            if (layers == null || layers.Count != widths.Count - 1)
                throw new InvalidArchitectureException($"{widths.Count} widths need {widths.Count - 1} layers, got {layers?.Count ?? 0}.");
            for (int i = 0; i < widths.Count; i++)
            {
                if (widths[i] <= 0)
                    throw new InvalidArchitectureException($"width {i} must be a positive integer, got {widths[i]}.");
            }

            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l] ?? throw new InvalidArchitectureException($"layer {l + 1} is missing.");
                CheckVariance(layer.WeightVariance, $"layer {l + 1} weight variance", allowZero: false);
                CheckVariance(layer.BiasVariance, $"layer {l + 1} bias variance", allowZero: true);
            }

            CheckVariance(inputVariance, "input variance", allowZero: false);
            _widths = widths.ToArray();
            _layers = layers.ToArray();
            InputVariance = inputVariance;
        }

        /// <summary>N_0..N_L.</summary>
        public IReadOnlyList<int> Widths => _widths;

        /// <summary>Layers 1..L (index 0 is layer 1).</summary>
        public IReadOnlyList<Layer> Layers => _layers;

        /// <summary>L, the number of weight matrices.</summary>
        public int Depth => _layers.Length;

        /// <summary>q_0, the variance of the input entries.</summary>
        public double InputVariance { get; }

        /// <summary>
        /// The common case: same activation, variances and weight law for every layer except perhaps the last activation.
        /// </summary>
        public static NetworkArchitecture Uniform(
            IReadOnlyList<int> widths,
            Activation activation,
            double weightVariance,
            double biasVariance = 0,
            WeightDistribution weights = WeightDistribution.Gaussian,
            Activation? lastActivation = null,
            double inputVariance = 1)
        {
            if (widths == null || widths.Count < 2)
                throw new InvalidArchitectureException("a network needs at least two widths (input and output).");
            int depth = widths.Count - 1;
            var layers = new Layer[depth];
            for (int l = 0; l < depth; l++)
            {
                var phi = l == depth - 1 && lastActivation != null ? lastActivation : activation;
                layers[l] = new Layer(phi, weightVariance, biasVariance, weights);
            }

            return new NetworkArchitecture(widths, layers, inputVariance);
        }

        /// <summary>A stable text key of everything that determines the law (used for caching).</summary>
        public string CacheKey()
        {
            var parts = new List<string> { string.Join(",", _widths), InputVariance.ToString("R", CultureInfo.InvariantCulture) };
            foreach (var layer in _layers)
            {
                parts.Add(string.Join(":", layer.Activation.ToString(), layer.WeightVariance.ToString("R", CultureInfo.InvariantCulture),
                    layer.BiasVariance.ToString("R", CultureInfo.InvariantCulture), layer.Weights.ToString()));
            }

            return string.Join("|", parts);
        }

        private static void CheckVariance(double value, string what, bool allowZero)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0 || (!allowZero && value == 0))
                throw new InvalidArchitectureException($"{what} must be a finite number {(allowZero ? ">= 0" : "> 0")}, got {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
