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
        private readonly int[]? _widths;
        private readonly double[] _widthProfile;
        private readonly Layer[] _layers;

        /// <exception cref="InvalidArchitectureException">Widths or layer parameters are not valid.</exception>
        public NetworkArchitecture(IReadOnlyList<int> widths, IReadOnlyList<Layer> layers, double inputVariance = 1)
            : this(CheckWidths(widths), null, layers, inputVariance)
        {
        }

        private NetworkArchitecture(int[]? widths, double[]? profile, IReadOnlyList<Layer> layers, double inputVariance)
        {
            _widths = widths;
            _widthProfile = profile ?? widths!.Select(n => (double)n).ToArray();
            if (layers == null || layers.Count != _widthProfile.Length - 1)
                throw new InvalidArchitectureException($"{_widthProfile.Length} widths need {_widthProfile.Length - 1} layers, got {layers?.Count ?? 0}.");
            for (int l = 0; l < layers.Count; l++)
            {
                var layer = layers[l] ?? throw new InvalidArchitectureException($"layer {l + 1} is missing.");
                CheckVariance(layer.WeightVariance, $"layer {l + 1} weight variance", allowZero: false);
                CheckVariance(layer.BiasVariance, $"layer {l + 1} bias variance", allowZero: true);
            }

            CheckVariance(inputVariance, "input variance", allowZero: false);
            _layers = layers.ToArray();
            InputVariance = inputVariance;
        }

        /// <summary>
        /// The large-width limit of networks whose widths are proportional to <paramref name="widthProfile"/> (any positive
        /// reals: the Jacobian law depends on the ratios N_l / N_{l-1} only). For profiles whose integer widths would overflow,
        /// e.g. 200 layers growing by 1.25 (1.25^200 = 2.6e19). Such a network has no <see cref="Widths"/>; the Jacobian
        /// spectrum, mean field and critical gains use <see cref="WidthProfile"/>.
        /// </summary>
        /// <exception cref="InvalidArchitectureException">A relative width is not a positive finite number, or the layers do not match.</exception>
        public static NetworkArchitecture FromWidthProfile(IReadOnlyList<double> widthProfile, IReadOnlyList<Layer> layers, double inputVariance = 1)
        {
            if (widthProfile == null || widthProfile.Count < 2)
                throw new InvalidArchitectureException("a network needs at least two widths (input and output).");
            for (int i = 0; i < widthProfile.Count; i++)
            {
                double n = widthProfile[i];
                if (!(n > 0) || double.IsInfinity(n))
                    throw new InvalidArchitectureException($"relative width {i} must be a positive finite number, got {n.ToString(CultureInfo.InvariantCulture)}.");
            }

            return new NetworkArchitecture(null, widthProfile.ToArray(), layers, inputVariance);
        }

        /// <summary>N_0..N_L.</summary>
        /// <exception cref="InvalidArchitectureException">The network was built by <see cref="FromWidthProfile"/> (no integer widths).</exception>
        public IReadOnlyList<int> Widths => _widths
            ?? throw new InvalidArchitectureException("this network is defined by relative widths (FromWidthProfile): it has no integer widths.");

        /// <summary>N_0..N_L as real numbers (the integer widths, or the relative widths of <see cref="FromWidthProfile"/>).</summary>
        public IReadOnlyList<double> WidthProfile => _widthProfile;

        /// <summary>False for networks built by <see cref="FromWidthProfile"/>.</summary>
        public bool HasIntegerWidths => _widths != null;

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

        /// <summary>The same widths (or width profile) and input variance with other layers.</summary>
        public NetworkArchitecture WithLayers(IReadOnlyList<Layer> layers) =>
            new NetworkArchitecture(_widths, _widths == null ? _widthProfile : null, layers, InputVariance);

        /// <summary>A stable text key of everything that determines the law (used for caching).</summary>
        public string CacheKey()
        {
            string widths = _widths != null
                ? string.Join(",", _widths)
                : "~" + string.Join(",", _widthProfile.Select(n => n.ToString("R", CultureInfo.InvariantCulture)));
            var parts = new List<string> { widths, InputVariance.ToString("R", CultureInfo.InvariantCulture) };
            foreach (var layer in _layers)
            {
                parts.Add(string.Join(":", layer.Activation.ToString(), layer.WeightVariance.ToString("R", CultureInfo.InvariantCulture),
                    layer.BiasVariance.ToString("R", CultureInfo.InvariantCulture), layer.Weights.ToString()));
            }

            return string.Join("|", parts);
        }

        private static int[] CheckWidths(IReadOnlyList<int> widths)
        {
            if (widths == null || widths.Count < 2)
                throw new InvalidArchitectureException("a network needs at least two widths (input and output).");
            for (int i = 0; i < widths.Count; i++)
            {
                if (widths[i] <= 0)
                    throw new InvalidArchitectureException($"width {i} must be a positive integer, got {widths[i]}.");
            }

            return widths.ToArray();
        }

        private static void CheckVariance(double value, string what, bool allowZero)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0 || (!allowZero && value == 0))
                throw new InvalidArchitectureException($"{what} must be a finite number {(allowZero ? ">= 0" : "> 0")}, got {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
