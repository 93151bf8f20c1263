using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Microsoft.CodeAnalysis;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// An initialisation read from source (torch.nn.init.* or TorchSharp's default), with the constant arguments the
    /// compiler knows. Variances follow from the layer's fan-in and fan-out in <see cref="Analysis.ArchitectureMapper"/>.
    /// </summary>
    internal sealed class InitInfo
    {
        public InitInfo(string method, SyntaxNode? node)
        {
            Method = method;
            Node = node;
        }

        /// <summary>TorchSharp's default of Linear (kaiming_uniform_(a: sqrt 5) on the weight, U(+-1/sqrt(fan_in)) on the bias).</summary>
        public static InitInfo Default { get; } = new InitInfo("default", null);

        /// <summary>normal_, uniform_, kaiming_normal_, ... or "default".</summary>
        public string Method { get; }

        /// <summary>The init invocation (null for the default).</summary>
        public SyntaxNode? Node { get; }

        public Dictionary<string, double> Numbers { get; } = new Dictionary<string, double>();

        /// <summary>Enum-valued arguments by parameter name (mode: FanIn/FanOut, nonlinearity: ReLU, ...).</summary>
        public Dictionary<string, string> Names { get; } = new Dictionary<string, string>();

        /// <summary>
        /// Arguments that depend on the layer's fan-in through p.shape[1] (p the parameter of a loop over
        /// named_parameters()), folded per layer: std = Math.Sqrt(c / p.shape[1]) gives sigma_w^2 = c in every layer.
        /// </summary>
        public Dictionary<string, System.Func<int, double?>> FanInDependent { get; } = new Dictionary<string, System.Func<int, double?>>();

        /// <summary>Why an argument could not be read (not a compile-time constant), or null.</summary>
        public string? Unknown { get; set; }

        public bool IsDefault => Method == "default";
    }

    /// <summary>A Linear layer read from source: widths when constant, bias flag, initialisation of weight and bias.</summary>
    internal sealed class LinearLayerInfo
    {
        public LinearLayerInfo(SyntaxNode node) => Node = node;

        public SyntaxNode Node { get; }

        /// <summary>Variable or field that holds the layer, when there is one (fc1).</summary>
        public string? Name { get; set; }

        /// <summary>The Sequential field of a Module subclass that holds the layer (layers in layers = Sequential(...)), or null.</summary>
        public string? Container { get; set; }

        /// <summary>The collection field (ModuleList, List, array) whose element this layer is, with <see cref="Index"/>; null otherwise.</summary>
        public string? Collection { get; set; }

        /// <summary>The position of the layer in <see cref="Collection"/> (layers[Index]).</summary>
        public int? Index { get; set; }

        public int? InputSize { get; set; }

        public int? OutputSize { get; set; }

        /// <summary>Source text of a width that is not a compile-time constant.</summary>
        public string? UnknownWidth { get; set; }

        /// <summary>Why the width or bias flag is not constant when a local is the cause (it is written after its declaration, ...).</summary>
        public string? UnknownReason { get; set; }

        public bool HasBias { get; set; } = true;

        public string? UnknownBias { get; set; }

        public InitInfo WeightInit { get; set; } = InitInfo.Default;

        public InitInfo BiasInit { get; set; } = InitInfo.Default;
    }

    internal enum StepKind
    {
        Linear,
        Activation,
        Neutral,
        Unknown,
    }

    /// <summary>One step of the forward computation, in order of application.</summary>
    internal sealed class ModelStep
    {
        private ModelStep(StepKind kind, SyntaxNode? node)
        {
            Kind = kind;
            Node = node;
        }

        public StepKind Kind { get; }

        public SyntaxNode? Node { get; }

        public LinearLayerInfo? Linear { get; private set; }

        public Activation? Activation { get; private set; }

        /// <summary>Display name (ReLU, Dropout, ...) or the reason for an unknown step.</summary>
        public string Text { get; private set; } = "";

        public static ModelStep ForLinear(LinearLayerInfo linear) => new ModelStep(StepKind.Linear, linear.Node) { Linear = linear, Text = "Linear" };

        public static ModelStep ForActivation(Activation activation, string text, SyntaxNode node) =>
            new ModelStep(StepKind.Activation, node) { Activation = activation, Text = text };

        public static ModelStep Neutral(string text, SyntaxNode node) => new ModelStep(StepKind.Neutral, node) { Text = text };

        public static ModelStep Unknown(string reason, SyntaxNode? node) => new ModelStep(StepKind.Unknown, node) { Text = reason };
    }

    /// <summary>An optimiser linked to a model: torch.optim.SGD(model.parameters(), learningRate) and the like.</summary>
    internal sealed class OptimizerInfo
    {
        public OptimizerInfo(string kind, SyntaxNode node)
        {
            Kind = kind;
            Node = node;
        }

        /// <summary>SGD, Adam, AdamW or RMSProp.</summary>
        public string Kind { get; }

        public SyntaxNode Node { get; }

        /// <summary>The learning rate when it is a compile-time constant (or the optimiser's default).</summary>
        public double? LearningRate { get; set; }

        /// <summary>Source text of a learning rate that is not constant.</summary>
        public string? UnknownLearningRate { get; set; }

        /// <summary>Why the learning rate is not constant when a local is the cause (it is written after its declaration, ...).</summary>
        public string? UnknownReason { get; set; }

        /// <summary>Text for reports: the rate, or 'lr' (not constant[: reason]).</summary>
        public string RateText(System.Func<double, string> format) => LearningRate != null
            ? format(LearningRate.Value)
            : $"'{UnknownLearningRate}' (not constant{ModelExtractor.Because(UnknownReason)})";

        /// <summary>The learning-rate argument expression (null when the optimiser's default is used).</summary>
        public SyntaxNode? LearningRateNode { get; set; }

        /// <summary>SGD momentum when constant (0 when omitted); null when it is not a compile-time constant.</summary>
        public double? Momentum { get; set; }

        /// <summary>The variable whose parameters() the optimiser receives.</summary>
        public string? ModelName { get; set; }
    }

    /// <summary>A model found in source: a Sequential or a Module&lt;Tensor, Tensor&gt; subclass.</summary>
    internal sealed class ExtractedModel
    {
        public ExtractedModel(string name, SyntaxNode node, Location location)
        {
            Name = name;
            Node = node;
            Location = location;
        }

        /// <summary>Variable, field or class name, as the messages show it.</summary>
        public string Name { get; }

        public SyntaxNode Node { get; }

        /// <summary>Where the diagnostics go: the Sequential call or the class name.</summary>
        public Location Location { get; }

        public List<ModelStep> Steps { get; } = new List<ModelStep>();

        public List<OptimizerInfo> Optimizers { get; } = new List<OptimizerInfo>();

        /// <summary>The collection fields of a Module subclass that forward reads, with their element counts.</summary>
        public Dictionary<string, int> CollectionCounts { get; } = new Dictionary<string, int>(System.StringComparer.Ordinal);

        /// <summary>Remarks for the summary (Dropout has no effect at evaluation, ...).</summary>
        public List<string> Notes { get; } = new List<string>();

        public IEnumerable<LinearLayerInfo> LinearLayers()
        {
            foreach (var s in Steps)
            {
                if (s.Linear != null) yield return s.Linear;
            }
        }
    }
}
