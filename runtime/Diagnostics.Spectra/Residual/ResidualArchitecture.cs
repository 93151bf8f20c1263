using System.Globalization;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.Residual
{
    /// <summary>
    /// A residual network of constant width N and depth L: x^l = phi(h^l) + a x^{l-1}, h^l = W^l x^{l-1} + b^l,
    /// l = 1..L, with W^l entries iid N(0, sigma_W^2 / (L N)) and b^l entries iid N(0, sigma_b^2). Immutable; validated
    /// on construction.
    /// </summary>
    /// <remarks>
    /// Convention (Tarnowski, Warchol, Jastrzebski, Tabor and Nowak 2019, eq. 1): the 1/L is in the weight variance, so
    /// <see cref="WeightVariance"/> is the depth-independent sigma_W^2 and c_2^l = sigma_W^2 E[phi'(h^l)^2] has no 1/L;
    /// the bias variance is not divided by L. The input x^0 has iid entries of variance q_0 and mean zero.
    /// </remarks>
    public sealed class ResidualArchitecture
    {
        /// <exception cref="InvalidArchitectureException">A parameter is out of range.</exception>
        public ResidualArchitecture(int depth, int width, double skipScale, Activation activation, double weightVariance,
            double biasVariance = 0, double inputVariance = 1)
        {
            if (depth < 1) throw new InvalidArchitectureException($"depth must be a positive integer, got {depth}.");
            if (width < 1) throw new InvalidArchitectureException($"width must be a positive integer, got {width}.");
            Check(skipScale, "skip scale a", allowZero: false);
            Check(weightVariance, "weight variance sigma_W^2", allowZero: false);
            Check(biasVariance, "bias variance sigma_b^2", allowZero: true);
            Check(inputVariance, "input variance q_0", allowZero: false);
            Depth = depth;
            Width = width;
            SkipScale = skipScale;
            Activation = activation ?? throw new InvalidArchitectureException("a residual network needs an activation.");
            WeightVariance = weightVariance;
            BiasVariance = biasVariance;
            InputVariance = inputVariance;
        }

        /// <summary>L, the number of residual blocks (weight matrices).</summary>
        public int Depth { get; }

        /// <summary>N, the common width (the limiting law does not depend on it; Monte Carlo and reports use it).</summary>
        public int Width { get; }

        /// <summary>a &gt; 0, the scale of the skip connection.</summary>
        public double SkipScale { get; }

        public Activation Activation { get; }

        /// <summary>sigma_W^2: each weight entry has variance sigma_W^2 / (L N).</summary>
        public double WeightVariance { get; }

        /// <summary>sigma_b^2: each bias entry has variance sigma_b^2 (not divided by L).</summary>
        public double BiasVariance { get; }

        /// <summary>q_0, the variance of the (zero-mean) input entries.</summary>
        public double InputVariance { get; }

        /// <summary>Variance of one weight entry, sigma_W^2 / (L N).</summary>
        public double WeightEntryVariance => WeightVariance / ((double)Depth * Width);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "residual L={0} N={1} a={2} {3} sigma_W^2={4} sigma_b^2={5}", Depth, Width, SkipScale, Activation, WeightVariance, BiasVariance);

        private static void Check(double value, string what, bool allowZero)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0 || (!allowZero && value == 0))
                throw new InvalidArchitectureException($"{what} must be a finite number {(allowZero ? ">= 0" : "> 0")}, got {value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
