// Declaration-only copy of the TorchSharp API surface the analyzer tests use, compiled in memory into an assembly
// named TorchSharp (see Harness/TorchSharpReference.cs). Names, parameter names and defaults are copied from
// dotnet/TorchSharp; bodies throw. Sources:
//   src/TorchSharp/NN/Linear.cs                  torch.nn.Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null)
//   src/TorchSharp/NN/Sequential.cs              torch.nn.Sequential(), Sequential(params (string name, torch.nn.Module<Tensor, Tensor> submodule)[] modules),
//                                                Sequential(params torch.nn.Module<Tensor, Tensor>[] modules), Sequential(params System.Tuple<string, torch.nn.Module<Tensor, Tensor>>[] modules)
//   src/TorchSharp/NN/Activation/ReLu.cs         ReLU(bool inplace = false)
//   src/TorchSharp/NN/Activation/LeakyReLU.cs    LeakyReLU(double negative_slope = 0.01, bool inplace = false)
//   src/TorchSharp/NN/Activation/Hardtanh.cs     Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false)
//   src/TorchSharp/NN/Activation/ELU.cs          ELU(double alpha = 1.0, bool inplace = false)
//   src/TorchSharp/NN/Activation/SELU.cs         SELU(bool inplace = false)
//   src/TorchSharp/NN/Activation/Softplus.cs     Softplus(double beta = 1, double threshold = 20)
//   src/TorchSharp/NN/Activation/Tanh.cs, Sigmoid.cs, GELU.cs, SiLU.cs, src/TorchSharp/NN/Identity.cs
//   src/TorchSharp/NN/Dropout.cs                 Dropout(double p = 0.5, bool inplace = false)
//   src/TorchSharp/NN/Flatten.cs                 Flatten(long startDim = 1, long endDim = -1)
//   src/TorchSharp/NN/Init.cs                    torch.nn.init.* (NonlinearityType, FanInOut, calculate_gain(NonlinearityType nonlinearity, double param = 0.0), ...)
//   src/TorchSharp/Optimizers/SGD.cs             torch.optim.SGD(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
//   src/TorchSharp/Optimizers/Adam.cs, AdamW.cs  Adam/AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
//   src/TorchSharp/Optimizers/RMSprop.cs         RMSProp(IEnumerable<Parameter> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0, double momentum = 0, bool centered = false)
//   src/TorchSharp/NN/ModuleList.cs              ModuleList<T>(params T[] modules) : Module, IList<T> (Add, append, Count, indexer); torch.nn.ModuleList(params Module[]), ModuleList<T>(params T[])
//   src/TorchSharp/NN/Sequential.cs (more)       Sequential(IEnumerable<(string name, torch.nn.Module<Tensor, Tensor> submodule)> modules),
//                                                Sequential(IEnumerable<System.Tuple<string, torch.nn.Module<Tensor, Tensor>>> modules), Sequential(IEnumerable<torch.nn.Module<Tensor, Tensor>> modules)
//   src/TorchSharp/NN/Module.cs                  Module, Module<T, TResult>, parameters(bool recurse = true), named_parameters(bool recurse = true)
using System;
using System.Collections.Generic;

namespace TorchSharp
{
    using Modules;

    public enum ScalarType { Float32 = 6, Float64 = 7 }

    public sealed class Device { }

    public sealed class DisposeScope : IDisposable { public void Dispose() { } }

    public static partial class torch
    {
        public class Tensor : IDisposable
        {
            public long Dimensions => throw new NotImplementedException();
            public long[] shape => throw new NotImplementedException();
            public long dim() => throw new NotImplementedException();
            public Tensor relu() => throw new NotImplementedException();
            public Tensor tanh() => throw new NotImplementedException();
            public Tensor sigmoid() => throw new NotImplementedException();
            public Tensor view(params long[] shape) => throw new NotImplementedException();
            public Tensor reshape(params long[] shape) => throw new NotImplementedException();
            public Tensor MoveToOuterDisposeScope() => throw new NotImplementedException();
            public static Tensor operator +(Tensor left, Tensor right) => throw new NotImplementedException();
            public static Tensor operator *(Tensor left, double right) => throw new NotImplementedException();
            public void Dispose() { }
        }

        public static Tensor tanh(Tensor input) => throw new NotImplementedException();
        public static Tensor relu(Tensor input) => throw new NotImplementedException();
        public static Tensor sigmoid(Tensor input) => throw new NotImplementedException();
        public static IDisposable no_grad() => throw new NotImplementedException();
        public static DisposeScope NewDisposeScope() => throw new NotImplementedException();
        public static Tensor randn(params long[] size) => throw new NotImplementedException();

        public static partial class nn
        {
            public class Parameter : Tensor { }

            public abstract class Module : IDisposable
            {
                protected Module(string name) { }
                public virtual IEnumerable<Parameter> parameters(bool recurse = true) => throw new NotImplementedException();
                public virtual IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) => throw new NotImplementedException();
                protected void RegisterComponents() { }
                public void Dispose() { }
            }

            public abstract class Module<T, TResult> : Module
            {
                protected Module(string name) : base(name) { }
                public abstract TResult forward(T input);
                public TResult call(T input) => forward(input);
            }

            public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) => throw new NotImplementedException();
            public static Sequential Sequential() => throw new NotImplementedException();
            public static Sequential Sequential(params (string name, torch.nn.Module<Tensor, Tensor> submodule)[] modules) => throw new NotImplementedException();
            public static Sequential Sequential(params torch.nn.Module<Tensor, Tensor>[] modules) => throw new NotImplementedException();
            public static Sequential Sequential(params System.Tuple<string, torch.nn.Module<Tensor, Tensor>>[] modules) => throw new NotImplementedException();
            public static Sequential Sequential(IEnumerable<(string name, torch.nn.Module<Tensor, Tensor> submodule)> modules) => throw new NotImplementedException();
            public static Sequential Sequential(IEnumerable<System.Tuple<string, torch.nn.Module<Tensor, Tensor>>> modules) => throw new NotImplementedException();
            public static Sequential Sequential(IEnumerable<torch.nn.Module<Tensor, Tensor>> modules) => throw new NotImplementedException();
            public static ModuleList<Module> ModuleList(params Module[] modules) => throw new NotImplementedException();
            public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => throw new NotImplementedException();
            public static ReLU ReLU(bool inplace = false) => throw new NotImplementedException();
            public static LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => throw new NotImplementedException();
            public static Hardtanh Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false) => throw new NotImplementedException();
            public static Tanh Tanh() => throw new NotImplementedException();
            public static Sigmoid Sigmoid() => throw new NotImplementedException();
            public static GELU GELU() => throw new NotImplementedException();
            public static SiLU SiLU() => throw new NotImplementedException();
            public static ELU ELU(double alpha = 1.0, bool inplace = false) => throw new NotImplementedException();
            public static SELU SELU(bool inplace = false) => throw new NotImplementedException();
            public static Softplus Softplus(double beta = 1, double threshold = 20) => throw new NotImplementedException();
            public static Identity Identity() => throw new NotImplementedException();
            public static Dropout Dropout(double p = 0.5, bool inplace = false) => throw new NotImplementedException();
            public static Flatten Flatten(long startDim = 1, long endDim = -1) => throw new NotImplementedException();

            public static class init
            {
                public enum NonlinearityType { Linear = 0, Conv1D = 1, Conv2D = 2, Conv3D = 3, ConvTranspose1D = 4, ConvTranspose2D = 5, ConvTranspose3D = 6, Sigmoid = 7, Tanh = 8, ReLU = 9, LeakyReLU = 10 }
                public enum FanInOut { FanIn = 0, FanOut = 1 }
                public static double calculate_gain(NonlinearityType nonlinearity, double param = 0.0) => throw new NotImplementedException();
                public static Tensor ones_(Tensor tensor) => throw new NotImplementedException();
                public static Tensor zeros_(Tensor tensor) => throw new NotImplementedException();
                public static Tensor eye_(Tensor tensor) => throw new NotImplementedException();
                public static Tensor constant_(Tensor tensor, double val) => throw new NotImplementedException();
                public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1, object? generator = null) => throw new NotImplementedException();
                public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, object? generator = null) => throw new NotImplementedException();
                public static Tensor orthogonal_(Tensor tensor, double gain = 1.0) => throw new NotImplementedException();
                public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU) => throw new NotImplementedException();
                public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU) => throw new NotImplementedException();
                public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0) => throw new NotImplementedException();
                public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0) => throw new NotImplementedException();
            }

            public static partial class functional
            {
                public static Tensor relu(Tensor x, bool inplace = false) => throw new NotImplementedException();
                public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false) => throw new NotImplementedException();
                public static Tensor tanh(Tensor x) => throw new NotImplementedException();
                public static Tensor sigmoid(Tensor x) => throw new NotImplementedException();
                public static Tensor gelu(Tensor x) => throw new NotImplementedException();
                public static Tensor silu(Tensor x, bool inplace = false) => throw new NotImplementedException();
                public static Tensor dropout(Tensor x, double p = 0.5, bool training = true, bool inplace = false) => throw new NotImplementedException();
            }
        }

        public static class optim
        {
            public static Modules.SGD SGD(IEnumerable<nn.Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false) => throw new NotImplementedException();
            public static Adam Adam(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) => throw new NotImplementedException();
            public static AdamW AdamW(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.99, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) => throw new NotImplementedException();
            public static RMSProp RMSProp(IEnumerable<nn.Parameter> parameters, double lr = 0.01, double alpha = 0.99, double eps = 1e-8, double weight_decay = 0, double momentum = 0, bool centered = false) => throw new NotImplementedException();
        }
    }

    namespace Modules
    {
        using static torch;

        public sealed class Linear : nn.Module<Tensor, Tensor>
        {
            internal Linear() : base(nameof(Linear)) { }
            public nn.Parameter? bias { get => throw new NotImplementedException(); set { } }
            public nn.Parameter? weight { get => throw new NotImplementedException(); set { } }
            public override Tensor forward(Tensor tensor) => throw new NotImplementedException();
        }

        public class Sequential : nn.Module<Tensor, Tensor>
        {
            internal Sequential() : base(nameof(Sequential)) { }
            public override Tensor forward(Tensor tensor) => throw new NotImplementedException();
        }

        public abstract class ActivationModule : nn.Module<Tensor, Tensor>
        {
            internal ActivationModule(string name) : base(name) { }
            public override Tensor forward(Tensor tensor) => throw new NotImplementedException();
        }

        public sealed class ReLU : ActivationModule { internal ReLU() : base(nameof(ReLU)) { } }
        public sealed class LeakyReLU : ActivationModule { internal LeakyReLU() : base(nameof(LeakyReLU)) { } }
        public sealed class Hardtanh : ActivationModule { internal Hardtanh() : base(nameof(Hardtanh)) { } }
        public sealed class Tanh : ActivationModule { internal Tanh() : base(nameof(Tanh)) { } }
        public sealed class Sigmoid : ActivationModule { internal Sigmoid() : base(nameof(Sigmoid)) { } }
        public sealed class GELU : ActivationModule { internal GELU() : base(nameof(GELU)) { } }
        public sealed class SiLU : ActivationModule { internal SiLU() : base(nameof(SiLU)) { } }
        public sealed class ELU : ActivationModule { internal ELU() : base(nameof(ELU)) { } }
        public sealed class SELU : ActivationModule { internal SELU() : base(nameof(SELU)) { } }
        public sealed class Softplus : ActivationModule { internal Softplus() : base(nameof(Softplus)) { } }
        public sealed class Identity : ActivationModule { internal Identity() : base(nameof(Identity)) { } }
        public sealed class Dropout : ActivationModule { internal Dropout() : base(nameof(Dropout)) { } }
        public sealed class Flatten : ActivationModule { internal Flatten() : base(nameof(Flatten)) { } }

        public class ModuleList<T> : nn.Module, IEnumerable<T> where T : nn.Module
        {
            public ModuleList(params T[] modules) : base("ModuleList") { }
            public T this[int index] { get => throw new NotImplementedException(); set { } }
            public int Count => throw new NotImplementedException();
            public void Add(T item) { }
            public void append(params T[] parameters) { }
            public IEnumerator<T> GetEnumerator() => throw new NotImplementedException();
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }

        public abstract class Optimizer { }
        public class SGD : Optimizer { }
        public class Adam : Optimizer { }
        public class AdamW : Optimizer { }
        public class RMSProp : Optimizer { }
    }
}
