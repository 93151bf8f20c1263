using System;
using System.Collections.Generic;
using System.Globalization;

namespace Diagnostics.Spectra.Architecture
{
    /// <summary>The activation functions the engine knows.</summary>
    public enum ActivationKind
    {
        Identity,
        Relu,
        LeakyRelu,
        HardTanh,
        HardSine,
        Tanh,
        Sigmoid,
        Gelu,
        Silu,
        Elu,
        Selu,
        Softplus,
    }

    /// <summary>
    /// A pointwise activation phi with its derivative. <see cref="LeakyRelu"/> carries its negative slope.
    /// Hard sine is the triangle wave of period 4 and amplitude 1, (2/pi) asin(sin(pi x / 2)): slope +-1
    /// everywhere, so its derivative squared is 1 while its forward map is bounded.
    /// </summary>
    public sealed class Activation : IEquatable<Activation>
    {
        /// <summary>Default negative slope of leaky ReLU (TorchSharp's default).</summary>
        public const double DefaultLeakySlope = 0.01;

        internal const double SeluScale = 1.0507009873554804934193349852946;
        internal const double SeluAlpha = 1.6732632423543772848170429916717;
        internal const double EluAlpha = 1.0;

        private static readonly Dictionary<string, ActivationKind> Names = new Dictionary<string, ActivationKind>(StringComparer.OrdinalIgnoreCase)
        {
            ["identity"] = ActivationKind.Identity,
            ["linear"] = ActivationKind.Identity,
            ["relu"] = ActivationKind.Relu,
            ["leaky_relu"] = ActivationKind.LeakyRelu,
            ["leakyrelu"] = ActivationKind.LeakyRelu,
            ["hardtanh"] = ActivationKind.HardTanh,
            ["hard_tanh"] = ActivationKind.HardTanh,
            ["hardsine"] = ActivationKind.HardSine,
            ["hard_sine"] = ActivationKind.HardSine,
            ["tanh"] = ActivationKind.Tanh,
            ["sigmoid"] = ActivationKind.Sigmoid,
            ["gelu"] = ActivationKind.Gelu,
            ["silu"] = ActivationKind.Silu,
            ["swish"] = ActivationKind.Silu,
            ["elu"] = ActivationKind.Elu,
            ["selu"] = ActivationKind.Selu,
            ["softplus"] = ActivationKind.Softplus,
        };

        private Activation(ActivationKind kind, double slope)
        {
            Kind = kind;
            Slope = slope;
        }

        public ActivationKind Kind { get; }

        /// <summary>Negative-side slope of leaky ReLU; 0 for every other activation.</summary>
        public double Slope { get; }

        public static Activation Identity { get; } = new Activation(ActivationKind.Identity, 0);
        public static Activation Relu { get; } = new Activation(ActivationKind.Relu, 0);
        public static Activation HardTanh { get; } = new Activation(ActivationKind.HardTanh, 0);
        public static Activation HardSine { get; } = new Activation(ActivationKind.HardSine, 0);
        public static Activation Tanh { get; } = new Activation(ActivationKind.Tanh, 0);
        public static Activation Sigmoid { get; } = new Activation(ActivationKind.Sigmoid, 0);
        public static Activation Gelu { get; } = new Activation(ActivationKind.Gelu, 0);
        public static Activation Silu { get; } = new Activation(ActivationKind.Silu, 0);
        public static Activation Elu { get; } = new Activation(ActivationKind.Elu, 0);
        public static Activation Selu { get; } = new Activation(ActivationKind.Selu, 0);
        public static Activation Softplus { get; } = new Activation(ActivationKind.Softplus, 0);

        /// <summary>Leaky ReLU with the given negative slope (0 &lt;= slope, slope != 1 is not required).</summary>
        public static Activation LeakyRelu(double slope = DefaultLeakySlope)
        {
            if (double.IsNaN(slope) || double.IsInfinity(slope) || slope < 0)
                throw new InvalidArchitectureException($"leaky ReLU slope must be a finite number >= 0, got {slope.ToString(CultureInfo.InvariantCulture)}.");
            return new Activation(ActivationKind.LeakyRelu, slope);
        }

        /// <summary>All names accepted by <see cref="Parse"/>, canonical first.</summary>
        public static IReadOnlyList<string> CanonicalNames { get; } = new[]
        {
            "relu", "leaky_relu", "hardtanh", "hardsine", "identity", "tanh", "sigmoid", "gelu", "silu", "elu", "selu", "softplus",
        };

        /// <summary>Parses an activation name (relu, leaky_relu, hardtanh, hardsine, identity, tanh, sigmoid, gelu, silu, elu, selu, softplus).</summary>
        /// <exception cref="InvalidArchitectureException">The name is unknown.</exception>
        public static Activation Parse(string name, double leakySlope = DefaultLeakySlope)
        {
            if (name == null || !Names.TryGetValue(name.Trim(), out var kind))
                throw new InvalidArchitectureException($"unknown activation '{name}'; expected one of {string.Join(", ", CanonicalNames)}.");
            return kind == ActivationKind.LeakyRelu ? LeakyRelu(leakySlope) : FromKind(kind);
        }

        public static Activation FromKind(ActivationKind kind) => kind switch
        {
            ActivationKind.Identity => Identity,
            ActivationKind.Relu => Relu,
            ActivationKind.LeakyRelu => LeakyRelu(),
            ActivationKind.HardTanh => HardTanh,
            ActivationKind.HardSine => HardSine,
            ActivationKind.Tanh => Tanh,
            ActivationKind.Sigmoid => Sigmoid,
            ActivationKind.Gelu => Gelu,
            ActivationKind.Silu => Silu,
            ActivationKind.Elu => Elu,
            ActivationKind.Selu => Selu,
            ActivationKind.Softplus => Softplus,
            _ => throw new InvalidArchitectureException($"unknown activation kind {kind}."),
        };

        /// <summary>Canonical command-line name.</summary>
        public string Name => Kind switch
        {
            ActivationKind.Identity => "identity",
            ActivationKind.Relu => "relu",
            ActivationKind.LeakyRelu => "leaky_relu",
            ActivationKind.HardTanh => "hardtanh",
            ActivationKind.HardSine => "hardsine",
            ActivationKind.Tanh => "tanh",
            ActivationKind.Sigmoid => "sigmoid",
            ActivationKind.Gelu => "gelu",
            ActivationKind.Silu => "silu",
            ActivationKind.Elu => "elu",
            ActivationKind.Selu => "selu",
            _ => "softplus",
        };

        /// <summary>
        /// True when phi' takes at most one non-zero value up to sign (identity, ReLU, hard tanh, hard sine):
        /// the law of D^2 is then (1 - p) delta_0 + p delta_c and its S-transform is rational.
        /// </summary>
        public bool HasSingleNonZeroDerivativeLevel =>
            Kind == ActivationKind.Identity || Kind == ActivationKind.Relu || Kind == ActivationKind.HardTanh || Kind == ActivationKind.HardSine
            || (Kind == ActivationKind.LeakyRelu && (Slope == 0 || Slope == 1));

        /// <summary>True when phi' is piecewise constant (the law of D^2 is a finite sum of atoms, known exactly).</summary>
        public bool IsPiecewiseLinear => HasSingleNonZeroDerivativeLevel || Kind == ActivationKind.LeakyRelu;

        public double Evaluate(double x)
        {
            switch (Kind)
            {
                case ActivationKind.Identity: return x;
                case ActivationKind.Relu: return x > 0 ? x : 0;
                case ActivationKind.LeakyRelu: return x > 0 ? x : Slope * x;
                case ActivationKind.HardTanh: return x > 1 ? 1 : x < -1 ? -1 : x;
                case ActivationKind.HardSine: return 2 / Math.PI * Math.Asin(Math.Sin(Math.PI * x / 2));
                case ActivationKind.Tanh: return Math.Tanh(x);
                case ActivationKind.Sigmoid: return Logistic(x);
                case ActivationKind.Gelu: return x * StandardNormalCdf(x);
                case ActivationKind.Silu: return x * Logistic(x);
                case ActivationKind.Elu: return x > 0 ? x : EluAlpha * ExpM1(x);
                case ActivationKind.Selu: return SeluScale * (x > 0 ? x : SeluAlpha * ExpM1(x));
                default: return x > 30 ? x : Math.Log(1 + Math.Exp(x));
            }
        }

        /// <summary>phi'(x); at kinks the right derivative (measure zero under a Gaussian).</summary>
        public double Derivative(double x)
        {
            switch (Kind)
            {
                case ActivationKind.Identity: return 1;
                case ActivationKind.Relu: return x > 0 ? 1 : 0;
                case ActivationKind.LeakyRelu: return x > 0 ? 1 : Slope;
                case ActivationKind.HardTanh: return x > -1 && x < 1 ? 1 : 0;
                case ActivationKind.HardSine:
                {
                    // Slope +1 on (4k-1, 4k+1), -1 on (4k+1, 4k+3).
                    double r = x + 1 - 4 * Math.Floor((x + 1) / 4);
                    return r < 2 ? 1 : -1;
                }
                case ActivationKind.Tanh:
                {
                    double t = Math.Tanh(x);
                    return 1 - t * t;
                }
                case ActivationKind.Sigmoid:
                {
                    double s = Logistic(x);
                    return s * (1 - s);
                }
                case ActivationKind.Gelu: return StandardNormalCdf(x) + x * StandardNormalPdf(x);
                case ActivationKind.Silu:
                {
                    double s = Logistic(x);
                    return s * (1 + x * (1 - s));
                }
                case ActivationKind.Elu: return x > 0 ? 1 : EluAlpha * Math.Exp(x);
                case ActivationKind.Selu: return SeluScale * (x > 0 ? 1 : SeluAlpha * Math.Exp(x));
                default: return Logistic(x);
            }
        }

        internal static double Logistic(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

        internal static double StandardNormalPdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

        internal static double StandardNormalCdf(double x) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2));

        private static double ExpM1(double x) => Math.Abs(x) < 1e-5 ? x + 0.5 * x * x + x * x * x / 6 : Math.Exp(x) - 1;

        public bool Equals(Activation? other) => other != null && other.Kind == Kind && other.Slope.Equals(Slope);

        public override bool Equals(object? obj) => Equals(obj as Activation);

        public override int GetHashCode() => ((int)Kind * 397) ^ Slope.GetHashCode();

        public override string ToString() => Kind == ActivationKind.LeakyRelu
            ? $"leaky_relu({Slope.ToString("R", CultureInfo.InvariantCulture)})"
            : Name;
    }
}
