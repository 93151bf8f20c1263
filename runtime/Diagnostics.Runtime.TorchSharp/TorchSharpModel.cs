using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Runtime.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diagnostics.Runtime.TorchSharp
{
    /// <summary>How J v is computed: TorchSharp has reverse-mode autodiff only.</summary>
    public enum JvpMethod
    {
        /// <summary>The double-backward trick: J v = d/dw (J^T w . v) with w a dummy cotangent (one graph kept).</summary>
        DoubleBackward,

        /// <summary>Central difference of two forward passes, (f(x + h v) - f(x - h v)) / (2h), step from the dtype.</summary>
        FiniteDifference,
    }

    /// <summary>
    /// A TorchSharp module and its optimiser seen as an <see cref="IDifferentiableModel"/> at a batch of probe inputs.
    /// Uses <c>torch.autograd.grad</c> only, on the module's own device and dtype, inside dispose scopes; returns host
    /// vectors of input or output size only. Leaves the parameters' <c>.grad</c>, the RNG and the training mode as it found
    /// them (the products are taken in eval mode, so that dropout does not make them random).
    /// </summary>
    /// <remarks>Written against the TorchSharp sources (Autograd: <c>torch.autograd.grad(outputs, inputs, grad_outputs,
    /// retain_graph, create_graph, allow_unused)</c>; optimisers: <c>ParamGroups</c> of <c>ILearningRateController</c>).
    /// Not compiled or tested in this repository's default build (no TorchSharp package here): build with
    /// <c>-p:EnableTorchSharp=true</c>.</remarks>
    public sealed class TorchSharpModel : IDifferentiableModel, IDisposable
    {
        private readonly nn.Module<Tensor, Tensor> _module;
        private readonly optim.Optimizer _optimizer;
        private readonly Tensor _probes;
        private readonly long[] _outputShape;

        /// <param name="module">The network; its forward maps a batch [M, ...] to [M, ...].</param>
        /// <param name="optimizer">The optimiser whose learning rate is read and written.</param>
        /// <param name="probes">M probe inputs as one batch on the module's device (copied and detached).</param>
        /// <param name="jvp">How J v is computed.</param>
        public TorchSharpModel(nn.Module<Tensor, Tensor> module, optim.Optimizer optimizer, Tensor probes, JvpMethod jvp = JvpMethod.DoubleBackward)
        {
            _module = module ?? throw new ArgumentNullException(nameof(module));
            _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
            if (probes is null || probes.shape.Length < 1 || probes.shape[0] < 1) throw new ArgumentException("probes must be a non-empty batch.", nameof(probes));
            _probes = probes.detach().clone().DetachFromDisposeScope();
            Jvp = jvp;
            ProbeCount = (int)_probes.shape[0];
            InputSize = (int)(_probes.numel() / ProbeCount);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var y = Forward(_probes);
            _outputShape = y.shape;
            OutputSize = (int)(y.numel() / ProbeCount);
        }

        public JvpMethod Jvp { get; set; }

        public int ProbeCount { get; }

        public int InputSize { get; }

        public int OutputSize { get; }

        public double LearningRate
        {
            get => _optimizer.ParamGroups.First().LearningRate;
            set
            {
                foreach (var group in _optimizer.ParamGroups) group.LearningRate = value;
            }
        }

        public double[] InputVjp(double[] u)
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var x = _probes.detach().clone().requires_grad_(true);
            var y = Forward(x);
            var g = autograd.grad(new[] { y }, new[] { x }, new[] { Device(u, y) })[0];
            return Host(g);
        }

        public double[] InputJvp(double[] v)
        {
            using var scope = NewDisposeScope();
            if (Jvp == JvpMethod.FiniteDifference) return FiniteDifferenceJvp(v);
            using var grad = enable_grad();
            var x = _probes.detach().clone().requires_grad_(true);
            var y = Forward(x);
            // J^T w as a function of the dummy cotangent w (kept in the graph), then d/dw (J^T w . v) = J v.
            var w = zeros_like(y).requires_grad_(true);
            var jtw = autograd.grad(new[] { y }, new[] { x }, new[] { w }, create_graph: true)[0];
            var jv = autograd.grad(new[] { jtw }, new[] { w }, new[] { Device(v, x) })[0];
            return Host(jv);
        }

        public double[] ParameterGramProduct(double[] u)
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var parameters = _module.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToArray();
            var x = _probes.detach();
            var y = Forward(x);
            var ut = Device(u, y);
            // a = J_theta^T u (fixed), b(w) = J_theta^T w; d/dw (b(w) . a) = J_theta a = J_theta J_theta^T u.
            var a = autograd.grad(new[] { y }, parameters, new[] { ut }, retain_graph: true, allow_unused: true);
            var w = zeros_like(y).requires_grad_(true);
            var b = autograd.grad(new[] { y }, parameters, new[] { w }, create_graph: true, allow_unused: true);
            Tensor? s = null;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (a[i] is null || b[i] is null) continue;
                var term = (b[i] * a[i].detach()).sum();
                s = s is null ? term : s + term;
            }

            if (s is null) return new double[u.Length];
            var jjtu = autograd.grad(new[] { s }, new[] { w })[0];
            var result = Host(jjtu);
            for (int k = 0; k < result.Length; k++) result[k] /= ProbeCount;
            return result;
        }

        public double[] Outputs()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return Host(Forward(_probes));
        }

        public IReadOnlyList<LayerGradientNorm> GradientNorms()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var norms = new List<LayerGradientNorm>();
            // Group parameters by their module path ("layers.0.weight" -> "layers.0").
            foreach (var group in _module.named_parameters().GroupBy(np => ModulePath(np.name)))
            {
                double g = 0, p = 0;
                foreach (var (_, parameter) in group)
                {
                    var gradient = parameter.grad;
                    if (gradient is not null) g += Math.Pow(gradient.norm().to(ScalarType.Float64).item<double>(), 2);
                    p += Math.Pow(parameter.norm().to(ScalarType.Float64).item<double>(), 2);
                }

                norms.Add(new LayerGradientNorm(group.Key, Math.Sqrt(g), Math.Sqrt(p)));
            }

            return norms;
        }

        /// <summary>
        /// Self-check of the two JVP methods on a random direction: the relative difference between the double-backward and
        /// the finite-difference J v (expect ~1e-3 in float32, ~1e-7 in float64 for smooth networks).
        /// </summary>
        public double CompareJvpMethods(int seed = 0)
        {
            var random = new Random(seed);
            var v = Enumerable.Range(0, ProbeCount * InputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var keep = Jvp;
            try
            {
                Jvp = JvpMethod.DoubleBackward;
                var exact = InputJvp(v);
                Jvp = JvpMethod.FiniteDifference;
                var fd = InputJvp(v);
                double diff = Math.Sqrt(exact.Zip(fd, (a, b) => (a - b) * (a - b)).Sum());
                double norm = Math.Sqrt(exact.Sum(a => a * a));
                return diff / Math.Max(norm, double.Epsilon);
            }
            finally
            {
                Jvp = keep;
            }
        }

        public void Dispose() => _probes.Dispose();

        private double[] FiniteDifferenceJvp(double[] v)
        {
            using var noGrad = no_grad();
            var dv = Device(v, _probes);
            // Central difference: step ~ cbrt(eps) relative to the input scale.
            double eps = _probes.dtype == ScalarType.Float64 ? 2.2e-16 : _probes.dtype == ScalarType.Float32 ? 1.2e-7 : 1e-3;
            double xScale = _probes.abs().max().to(ScalarType.Float64).item<double>();
            double vScale = dv.abs().max().to(ScalarType.Float64).item<double>();
            if (!(vScale > 0)) return new double[ProbeCount * OutputSize];
            double h = Math.Pow(eps, 1.0 / 3) * Math.Max(1, xScale) / vScale;
            var plus = Forward(_probes + h * dv);
            var minus = Forward(_probes - h * dv);
            return Host((plus - minus) / (2 * h));
        }

        /// <summary>Forward in eval mode, restoring the module's training mode afterwards.</summary>
        private Tensor Forward(Tensor x)
        {
            bool training = _module.training;
            if (training) _module.eval();
            try
            {
                return _module.call(x);
            }
            finally
            {
                if (training) _module.train();
            }
        }

        /// <summary>A host vector as a tensor shaped, typed and placed like <paramref name="like"/>.</summary>
        private static Tensor Device(double[] values, Tensor like)
        {
            if (values.LongLength != like.numel()) throw new ArgumentException($"expected {like.numel()} entries, got {values.Length}.");
            return tensor(values, dtype: ScalarType.Float64).reshape(like.shape).to(like.dtype).to(like.device);
        }

        private static double[] Host(Tensor t) => t.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();

        private static string ModulePath(string name)
        {
            int dot = name.LastIndexOf('.');
            return dot > 0 ? name.Substring(0, dot) : name;
        }
    }
}
