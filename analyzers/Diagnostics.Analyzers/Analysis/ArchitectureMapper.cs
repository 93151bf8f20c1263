using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>The engine's architecture for an extracted model, or the reason there is none.</summary>
    internal sealed class MappedModel
    {
        public MappedModel(NetworkArchitecture? network, string? failure)
        {
            Network = network;
            Failure = failure;
        }

        public NetworkArchitecture? Network { get; }

        public string? Failure { get; }
    }

    /// <summary>
    /// Maps the steps of an extracted model to a <see cref="NetworkArchitecture"/>: one engine layer per Linear with
    /// the activation that follows it (identity when none), sigma_w^2 = fan_in Var(W_ij) and sigma_b^2 = Var(b_i).
    /// </summary>
    /// <remarks>
    /// TorchSharp's default Linear initialisation (src/TorchSharp/NN/Linear.cs: init.kaiming_uniform_(weight, a: _sqrt5);
    /// bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) has Var(W_ij) = gain^2 / fan_in with gain^2 = 2 / (1 + a^2) = 1/3, so
    /// sigma_w^2 = 1/3, and Var(b_i) = 1 / (3 fan_in). Uniform and Gaussian initialisations with the same variance have the
    /// same limiting law (it depends on the entries only through their variance), so both map to Gaussian; orthogonal_
    /// maps to orthogonal weights W = gain Q (sigma_w^2 = gain^2). Dropout, Flatten and Identity do not change the
    /// Jacobian at evaluation.
    /// </remarks>
    internal static class ArchitectureMapper
    {
        /// <summary>sigma_w^2 of TorchSharp's default Linear weight: kaiming_uniform_(a = sqrt 5), gain^2 = 2 / (1 + 5).</summary>
        public const double DefaultWeightVariance = 1.0 / 3.0;

        public static MappedModel Map(ExtractedModel model, double inputVariance)
        {
            var layers = new List<(LinearLayerInfo Linear, Activation? Activation, string? ActivationText)>();
            foreach (var step in model.Steps)
            {
                switch (step.Kind)
                {
                    case StepKind.Unknown:
                        return Fail(step.Text);
                    case StepKind.Neutral:
                        continue;
                    case StepKind.Linear:
                        layers.Add((step.Linear!, null, null));
                        continue;
                    case StepKind.Activation:
                        var phi = step.Activation!;
                        if (layers.Count == 0)
                        {
                            if (phi.Kind == ActivationKind.Identity) continue;
                            return Fail($"the activation {step.Text} before the first Linear layer is not modelled");
                        }

                        var last = layers[layers.Count - 1];
                        if (phi.Kind == ActivationKind.Identity) continue;
                        if (last.Activation != null && last.Activation.Kind != ActivationKind.Identity)
                            return Fail($"two activations in a row ({last.ActivationText} then {step.Text}) after Linear layer {layers.Count} are not modelled");
                        layers[layers.Count - 1] = (last.Linear, phi, step.Text);
                        continue;
                }
            }

            if (layers.Count == 0) return Fail("no Linear layer was found");
            var widths = new List<int>();
            var engineLayers = new List<Layer>();
            for (int l = 0; l < layers.Count; l++)
            {
                var linear = layers[l].Linear;
                if (linear.UnknownWidth != null) return Fail($"the width '{linear.UnknownWidth}' of Linear layer {l + 1} is not a positive compile-time constant" + ModelExtractor.Because(linear.UnknownReason));
                if (linear.UnknownBias != null) return Fail($"hasBias '{linear.UnknownBias}' of Linear layer {l + 1} is not a compile-time constant" + ModelExtractor.Because(linear.UnknownReason));
                int fanIn = linear.InputSize!.Value, fanOut = linear.OutputSize!.Value;
                if (l == 0) widths.Add(fanIn);
                else if (widths[widths.Count - 1] != fanIn)
                    return Fail($"Linear layer {l + 1} takes {fanIn} inputs but the previous layer gives {widths[widths.Count - 1]}");
                widths.Add(fanOut);

                var weight = WeightVariance(linear.WeightInit, fanIn, fanOut, out var distribution, out var weightFailure);
                if (weightFailure != null) return Fail($"Linear layer {l + 1}: {weightFailure}");
                if (double.IsNaN(weight)) return Fail($"Linear layer {l + 1}: an argument of {linear.WeightInit.Method} could not be evaluated for fan-in {fanIn}");
                double bias = 0;
                if (linear.HasBias)
                {
                    bias = BiasVariance(linear.BiasInit, fanIn, out var biasFailure);
                    if (biasFailure != null) return Fail($"Linear layer {l + 1}: {biasFailure}");
                    if (double.IsNaN(bias)) return Fail($"Linear layer {l + 1}: an argument of bias {linear.BiasInit.Method} could not be evaluated");
                }

                try
                {
                    engineLayers.Add(new Layer(layers[l].Activation ?? Activation.Identity, weight, bias, distribution));
                }
                catch (SpectralException ex)
                {
                    return Fail($"Linear layer {l + 1}: {ex.Message}");
                }
            }

            try
            {
                return new MappedModel(new NetworkArchitecture(widths, engineLayers, inputVariance), null);
            }
            catch (SpectralException ex)
            {
                return Fail(ex.Message);
            }
        }

        /// <summary>sigma_w^2 = fan_in Var(W_ij) of an initialisation; failure text when it is not a zero-mean random matrix.</summary>
        public static double WeightVariance(InitInfo init, int fanIn, int fanOut, out WeightDistribution distribution, out string? failure)
        {
            distribution = WeightDistribution.Gaussian;
            failure = null;
            if (init.Unknown != null)
            {
                failure = $"{init.Method}: {init.Unknown}";
                return double.NaN;
            }

            double Get(string name, double fallback) => init.Numbers.TryGetValue(name, out var v) ? v
                : init.FanInDependent.TryGetValue(name, out var f) ? f(fanIn) ?? double.NaN : fallback;
            switch (init.Method)
            {
                case "default":
                    return DefaultWeightVariance;
                case "kaiming_normal_":
                case "kaiming_uniform_":
                {
                    // Init.cs: kaiming_*_(tensor, double a = 0, FanInOut mode = FanIn, NonlinearityType nonlinearity = LeakyReLU); Var = gain^2 / fan
                    var nonlinearity = init.Names.TryGetValue("nonlinearity", out var n) ? n : "LeakyReLU";
                    var gain = InitGains.Gain(nonlinearity, Get("a", 0));
                    if (gain == null)
                    {
                        failure = $"{init.Method}: nonlinearity {nonlinearity} is not known";
                        return double.NaN;
                    }

                    bool fanOutMode = init.Names.TryGetValue("mode", out var mode) && mode == "FanOut";
                    return gain.Value * gain.Value * fanIn / (fanOutMode ? fanOut : fanIn);
                }

                case "xavier_normal_":
                case "xavier_uniform_":
                case "glorot_normal_":
                case "glorot_uniform_":
                {
                    // Var = 2 gain^2 / (fan_in + fan_out) (Glorot and Bengio 2010)
                    var gain = Get("gain", 1);
                    return 2 * gain * gain * fanIn / (fanIn + fanOut);
                }

                case "orthogonal_":
                {
                    var gain = Get("gain", 1);
                    distribution = WeightDistribution.Orthogonal;
                    return gain * gain;
                }

                case "normal_":
                {
                    if (Get("mean", 0) != 0)
                    {
                        failure = $"normal_ with mean {Format.Number(Get("mean", 0))} is not a zero-mean initialisation";
                        return double.NaN;
                    }

                    var std = Get("std", 1);
                    return std * std * fanIn;
                }

                case "uniform_":
                {
                    double low = Get("low", 0), high = Get("high", 1);
                    if (low != -high)
                    {
                        failure = $"uniform_({Format.Number(low)}, {Format.Number(high)}) has a non-zero mean";
                        return double.NaN;
                    }

                    return (high - low) * (high - low) / 12 * fanIn;
                }

                default:
                    failure = $"the weight is set by {init.Method}, a deterministic matrix";
                    return double.NaN;
            }
        }

        /// <summary>Var(b_i) of a bias initialisation (TorchSharp's default U(+-1/sqrt(fan_in)) gives 1 / (3 fan_in)).</summary>
        public static double BiasVariance(InitInfo init, int fanIn, out string? failure)
        {
            failure = null;
            if (init.Unknown != null)
            {
                failure = $"bias {init.Method}: {init.Unknown}";
                return double.NaN;
            }

            double Get(string name, double fallback) => init.Numbers.TryGetValue(name, out var v) ? v
                : init.FanInDependent.TryGetValue(name, out var f) ? f(fanIn) ?? double.NaN : fallback;
            switch (init.Method)
            {
                case "default":
                    return 1.0 / (3.0 * fanIn);
                case "zeros_":
                    return 0;
                case "constant_":
                    if (Get("val", double.NaN) == 0) return 0;
                    failure = "a constant non-zero bias is not modelled (the engine takes Gaussian biases)";
                    return double.NaN;
                case "normal_":
                    if (Get("mean", 0) != 0)
                    {
                        failure = "a bias drawn with a non-zero mean is not modelled";
                        return double.NaN;
                    }

                    return Get("std", 1) * Get("std", 1);
                case "uniform_":
                {
                    double low = Get("low", 0), high = Get("high", 1);
                    if (low != -high)
                    {
                        failure = $"bias uniform_({Format.Number(low)}, {Format.Number(high)}) has a non-zero mean";
                        return double.NaN;
                    }

                    return high * high / 3;
                }

                default:
                    failure = $"the bias is set by {init.Method}, which is not modelled for a bias";
                    return double.NaN;
            }
        }

        private static MappedModel Fail(string reason) => new MappedModel(null, reason);
    }
}
