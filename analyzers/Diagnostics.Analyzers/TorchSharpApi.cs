using System;
using System.Collections.Generic;

namespace Diagnostics.Analyzers
{
    /// <summary>What a recognised TorchSharp member is.</summary>
    internal enum TorchMemberKind
    {
        None,
        Linear,
        Sequential,
        ActivationModule,
        Dropout,
        Flatten,
        Init,
        CalculateGain,
        Optimizer,
        FunctionalActivation,
        NoGrad,
    }

    /// <summary>A TorchSharp method the analyzer understands: its name, kind and parameter names in declaration order.</summary>
    internal sealed class TorchMember
    {
        public TorchMember(string name, TorchMemberKind kind, string containingType, params string[] parameters)
        {
            Name = name;
            Kind = kind;
            ContainingType = containingType;
            Parameters = parameters;
        }

        public string Name { get; }

        public TorchMemberKind Kind { get; }

        /// <summary>Metadata name of the declaring type, e.g. TorchSharp.torch+nn.</summary>
        public string ContainingType { get; }

        public IReadOnlyList<string> Parameters { get; }
    }

    /// <summary>
    /// Metadata names, member names and parameter names of the TorchSharp API that the analyzer reads, copied from the
    /// sources of dotnet/TorchSharp (files cited per entry). The syntax fallback maps positional arguments with these
    /// parameter lists; the semantic path takes the parameters of the resolved method symbol instead.
    /// </summary>
    internal static class TorchSharpApi
    {
        public const string Namespace = "TorchSharp";
        public const string TorchType = "TorchSharp.torch";
        public const string NnType = "TorchSharp.torch+nn";
        public const string InitType = "TorchSharp.torch+nn+init";
        public const string FunctionalType = "TorchSharp.torch+nn+functional";
        public const string OptimType = "TorchSharp.torch+optim";
        public const string ModuleOfTensorTensor = "TorchSharp.torch+nn+Module`2";

        private static readonly Dictionary<string, TorchMember> Members = Build();

        /// <summary>Activation module names (torch.nn) and functional names mapped to the engine's activation names.</summary>
        public static readonly IReadOnlyDictionary<string, string> ActivationModules = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // src/TorchSharp/NN/Activation/*.cs
            ["ReLU"] = "relu",
            ["LeakyReLU"] = "leaky_relu",
            ["Hardtanh"] = "hardtanh",
            ["Tanh"] = "tanh",
            ["Sigmoid"] = "sigmoid",
            ["GELU"] = "gelu",
            ["SiLU"] = "silu",
            ["ELU"] = "elu",
            ["SELU"] = "selu",
            ["Softplus"] = "softplus",
            ["Identity"] = "identity",
        };

        /// <summary>Functional and tensor-method activations: torch.nn.functional.relu(x), torch.tanh(x), x.relu().</summary>
        public static readonly IReadOnlyDictionary<string, string> FunctionalActivations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["relu"] = "relu",
            ["leaky_relu"] = "leaky_relu",
            ["hardtanh"] = "hardtanh",
            ["tanh"] = "tanh",
            ["sigmoid"] = "sigmoid",
            ["gelu"] = "gelu",
            ["silu"] = "silu",
            ["elu"] = "elu",
            ["selu"] = "selu",
            ["softplus"] = "softplus",
        };

        /// <summary>Tensor methods that only reshape (identity Jacobian up to a permutation of coordinates).</summary>
        public static readonly ISet<string> ShapeMethods = new HashSet<string>(StringComparer.Ordinal)
        {
            "view", "reshape", "flatten", "squeeze", "unsqueeze", "contiguous", "to", "MoveToOuterDisposeScope", "DetachFromDisposeScope",
        };

        public static bool TryGet(string name, out TorchMember member) => Members.TryGetValue(name, out member!);

        private static Dictionary<string, TorchMember> Build()
        {
            var list = new List<TorchMember>
            {
                // src/TorchSharp/NN/Linear.cs: Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null)
                new TorchMember("Linear", TorchMemberKind.Linear, NnType, "inputSize", "outputSize", "hasBias", "device", "dtype"),
                // src/TorchSharp/NN/Sequential.cs: Sequential(params torch.nn.Module<Tensor, Tensor>[] modules),
                // Sequential(params (string name, torch.nn.Module<Tensor, Tensor> submodule)[] modules), Sequential(params Tuple<string, ...>[]),
                // and the IEnumerable<...> overloads of the three; an array or list passed to them is read by ModelExtractor.ReadCollection.
                new TorchMember("Sequential", TorchMemberKind.Sequential, NnType, "modules"),
                // src/TorchSharp/NN/Activation/ReLu.cs: ReLU(bool inplace = false)
                new TorchMember("ReLU", TorchMemberKind.ActivationModule, NnType, "inplace"),
                // src/TorchSharp/NN/Activation/LeakyReLU.cs: LeakyReLU(double negative_slope = 0.01, bool inplace = false)
                new TorchMember("LeakyReLU", TorchMemberKind.ActivationModule, NnType, "negative_slope", "inplace"),
                // src/TorchSharp/NN/Activation/Hardtanh.cs: Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false)
                new TorchMember("Hardtanh", TorchMemberKind.ActivationModule, NnType, "min_val", "max_val", "inplace"),
                // src/TorchSharp/NN/Activation/Tanh.cs, Sigmoid.cs, GELU.cs, SiLU.cs; src/TorchSharp/NN/Identity.cs
                new TorchMember("Tanh", TorchMemberKind.ActivationModule, NnType),
                new TorchMember("Sigmoid", TorchMemberKind.ActivationModule, NnType),
                new TorchMember("GELU", TorchMemberKind.ActivationModule, NnType),
                new TorchMember("SiLU", TorchMemberKind.ActivationModule, NnType),
                new TorchMember("Identity", TorchMemberKind.ActivationModule, NnType),
                // src/TorchSharp/NN/Activation/ELU.cs: ELU(double alpha = 1.0, bool inplace = false)
                new TorchMember("ELU", TorchMemberKind.ActivationModule, NnType, "alpha", "inplace"),
                // src/TorchSharp/NN/Activation/SELU.cs: SELU(bool inplace = false)
                new TorchMember("SELU", TorchMemberKind.ActivationModule, NnType, "inplace"),
                // src/TorchSharp/NN/Activation/Softplus.cs: Softplus(double beta = 1, double threshold = 20)
                new TorchMember("Softplus", TorchMemberKind.ActivationModule, NnType, "beta", "threshold"),
                // src/TorchSharp/NN/Dropout.cs: Dropout(double p = 0.5, bool inplace = false)
                new TorchMember("Dropout", TorchMemberKind.Dropout, NnType, "p", "inplace"),
                // src/TorchSharp/NN/Flatten.cs: Flatten(long startDim = 1, long endDim = -1)
                new TorchMember("Flatten", TorchMemberKind.Flatten, NnType, "startDim", "endDim"),
                // src/TorchSharp/NN/Init.cs (torch.nn.init)
                new TorchMember("normal_", TorchMemberKind.Init, InitType, "tensor", "mean", "std", "generator"),
                new TorchMember("uniform_", TorchMemberKind.Init, InitType, "tensor", "low", "high", "generator"),
                new TorchMember("kaiming_normal_", TorchMemberKind.Init, InitType, "tensor", "a", "mode", "nonlinearity"),
                new TorchMember("kaiming_uniform_", TorchMemberKind.Init, InitType, "tensor", "a", "mode", "nonlinearity"),
                new TorchMember("xavier_normal_", TorchMemberKind.Init, InitType, "tensor", "gain"),
                new TorchMember("xavier_uniform_", TorchMemberKind.Init, InitType, "tensor", "gain"),
                new TorchMember("glorot_normal_", TorchMemberKind.Init, InitType, "tensor", "gain"),
                new TorchMember("glorot_uniform_", TorchMemberKind.Init, InitType, "tensor", "gain"),
                new TorchMember("orthogonal_", TorchMemberKind.Init, InitType, "tensor", "gain"),
                new TorchMember("constant_", TorchMemberKind.Init, InitType, "tensor", "val"),
                new TorchMember("zeros_", TorchMemberKind.Init, InitType, "tensor"),
                new TorchMember("ones_", TorchMemberKind.Init, InitType, "tensor"),
                new TorchMember("eye_", TorchMemberKind.Init, InitType, "tensor"),
                new TorchMember("calculate_gain", TorchMemberKind.CalculateGain, InitType, "nonlinearity", "param"),
                // src/TorchSharp/Optimizers/SGD.cs: SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, ...)
                new TorchMember("SGD", TorchMemberKind.Optimizer, OptimType, "parameters", "learningRate", "momentum", "dampening", "weight_decay", "nesterov", "maximize"),
                // src/TorchSharp/Optimizers/Adam.cs: Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.99, ...)
                new TorchMember("Adam", TorchMemberKind.Optimizer, OptimType, "parameters", "lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"),
                // src/TorchSharp/Optimizers/AdamW.cs: AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, ...)
                new TorchMember("AdamW", TorchMemberKind.Optimizer, OptimType, "parameters", "lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"),
                // src/TorchSharp/Optimizers/RMSprop.cs: RMSProp(IEnumerable<Parameter> parameters, double lr = 0.01, double alpha = 0.99, ...)
                new TorchMember("RMSProp", TorchMemberKind.Optimizer, OptimType, "parameters", "lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"),
                // src/TorchSharp/Tensor/torch.Autograd.cs: torch.no_grad()
                new TorchMember("no_grad", TorchMemberKind.NoGrad, TorchType),
            };
            var d = new Dictionary<string, TorchMember>(StringComparer.Ordinal);
            foreach (var m in list) d[m.Name] = m;
            return d;
        }

        /// <summary>Default learning rates of the optimisers whose rate is optional (Adam, AdamW 1e-3; RMSProp 0.01).</summary>
        public static double? DefaultLearningRate(string optimizer) => optimizer switch
        {
            "Adam" => 1e-3,
            "AdamW" => 1e-3,
            "RMSProp" => 0.01,
            _ => null,
        };
    }
}
