using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Runtime.Models;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Runtime.Reference
{
    /// <summary>The loss a <see cref="ReferenceMlp"/> trains on.</summary>
    public enum MlpLoss
    {
        /// <summary>(1/(2M)) sum_i ||f(x_i) - y_i||^2: its Gauss-Newton matrix is exactly (1/M) J_theta^T J_theta.</summary>
        HalfSquaredError,

        /// <summary>(1/M) sum_i -sum_k y_ik log softmax(f(x_i))_k with one-hot (or probability) targets y_i.</summary>
        CrossEntropy,
    }

    /// <summary>
    /// An exact CPU multilayer perceptron x_l = phi_l(W_l x_{l-1} + b_l) in double precision: forward pass, input JVP and
    /// VJP, parameter gradients, the dual Gauss-Newton product and plain SGD. Implements <see cref="IDifferentiableModel"/>
    /// at a batch of probe inputs, so that every monitor can be tested without TorchSharp, and checks the engine's
    /// predictions at finite width.
    /// </summary>
    /// <remarks>
    /// Products are computed by exact forward/backward recursions: J v by the tangent recursion
    /// t_l = phi_l'(h_l) * (W_l t_{l-1}), J^T u by back-propagation, J_theta g by the tangent recursion with parameter
    /// perturbations t_l = phi_l'(h_l) * (W_l t_{l-1} + dW_l x_{l-1} + db_l). Tests compare them with central finite
    /// differences (relative error below 1e-6) and with dense Jacobians (1e-12). Not thread-safe.
    /// </remarks>
    public sealed class ReferenceMlp : IDifferentiableModel
    {
        private readonly int[] _widths;
        private readonly Activation[] _activations;
        private readonly double[][] _w;
        private readonly double[][] _b;
        private readonly double[][] _gw;
        private readonly double[][] _gb;
        private double[][] _probes = Array.Empty<double[]>();
        private ForwardCache? _probeCache;
        private long _version;

        /// <summary>Creates a network with the given widths N_0..N_L, one activation and one initialisation per layer.</summary>
        /// <exception cref="InvalidArchitectureException">Widths, activations or initialisations do not fit.</exception>
        public ReferenceMlp(IReadOnlyList<int> widths, IReadOnlyList<Activation> activations, IReadOnlyList<MlpInitialization> initializations, int seed)
        {
            if (widths == null || widths.Count < 2) throw new InvalidArchitectureException("a network needs at least two widths (input and output).");
            if (widths.Any(n => n <= 0)) throw new InvalidArchitectureException("every width must be a positive integer.");
            int depth = widths.Count - 1;
            if (activations == null || activations.Count != depth || activations.Any(a => a == null))
                throw new InvalidArchitectureException($"{widths.Count} widths need {depth} activations.");
            if (initializations == null || initializations.Count != depth || initializations.Any(a => a == null))
                throw new InvalidArchitectureException($"{widths.Count} widths need {depth} initialisations.");
            _widths = widths.ToArray();
            _activations = activations.ToArray();
            _w = new double[depth][];
            _b = new double[depth][];
            _gw = new double[depth][];
            _gb = new double[depth][];
            var random = new Random(seed);
            for (int l = 0; l < depth; l++)
            {
                int fanIn = _widths[l], fanOut = _widths[l + 1];
                _w[l] = new double[fanIn * fanOut];
                _b[l] = new double[fanOut];
                _gw[l] = new double[fanIn * fanOut];
                _gb[l] = new double[fanOut];
                initializations[l].Draw(_w[l], _b[l], fanIn, fanOut, random);
            }
        }

        /// <summary>The network described by an engine architecture (widths, activations, Gaussian or orthogonal weights).</summary>
        public static ReferenceMlp FromArchitecture(NetworkArchitecture network, int seed) => new ReferenceMlp(
            network.Widths,
            network.Layers.Select(l => l.Activation).ToArray(),
            network.Layers.Select(MlpInitialization.FromLayer).ToArray(),
            seed);

        /// <summary>Same activation (the last one may differ) and initialisation for every layer.</summary>
        public static ReferenceMlp Uniform(IReadOnlyList<int> widths, Activation activation, MlpInitialization initialization, int seed, Activation? lastActivation = null)
        {
            int depth = widths.Count - 1;
            var phis = Enumerable.Range(0, depth).Select(l => l == depth - 1 && lastActivation != null ? lastActivation : activation).ToArray();
            return new ReferenceMlp(widths, phis, Enumerable.Repeat(initialization, depth).ToArray(), seed);
        }

        /// <summary>N_0..N_L.</summary>
        public IReadOnlyList<int> Widths => _widths;

        /// <summary>L, the number of weight matrices.</summary>
        public int Depth => _w.Length;

        /// <summary>Activation of each layer.</summary>
        public IReadOnlyList<Activation> Activations => _activations;

        /// <summary>P, the number of parameters (weights and biases).</summary>
        public int ParameterCount => _w.Sum(w => w.Length) + _b.Sum(b => b.Length);

        /// <inheritdoc/>
        public double LearningRate { get; set; } = 0.01;

        /// <inheritdoc/>
        public int ProbeCount => _probes.Length;

        /// <inheritdoc/>
        public int InputSize => _widths[0];

        /// <inheritdoc/>
        public int OutputSize => _widths[_widths.Length - 1];

        /// <summary>Sets the M probe inputs at which the <see cref="IDifferentiableModel"/> products are taken (copied).</summary>
        public void SetProbes(IReadOnlyList<double[]> probes)
        {
            if (probes == null || probes.Count == 0) throw new ArgumentException("at least one probe input is needed.", nameof(probes));
            foreach (var p in probes) CheckLength(p, InputSize, "probe input");
            _probes = probes.Select(p => (double[])p.Clone()).ToArray();
            _probeCache = null;
        }

        /// <summary>f(x).</summary>
        public double[] Predict(double[] x)
        {
            CheckLength(x, InputSize, "input");
            var cache = new ForwardCache(Depth, 1);
            Forward(x, cache, 0);
            return (double[])cache.X[Depth][0].Clone();
        }

        /// <summary>The dense input Jacobian df(x)/dx (N_L x N_0), row by row from N_L VJPs (for tests and small nets).</summary>
        public double[,] InputJacobian(double[] x)
        {
            CheckLength(x, InputSize, "input");
            var cache = new ForwardCache(Depth, 1);
            Forward(x, cache, 0);
            var jac = new double[OutputSize, InputSize];
            for (int k = 0; k < OutputSize; k++)
            {
                var u = new double[OutputSize];
                u[k] = 1;
                var row = BackwardInput(cache, 0, u);
                for (int j = 0; j < InputSize; j++) jac[k, j] = row[j];
            }

            return jac;
        }

        /// <summary>All parameters flattened: W_1 (row-major), b_1, W_2, b_2, ...</summary>
        public double[] GetParameters()
        {
            var theta = new double[ParameterCount];
            int k = 0;
            for (int l = 0; l < Depth; l++)
            {
                Array.Copy(_w[l], 0, theta, k, _w[l].Length);
                k += _w[l].Length;
                Array.Copy(_b[l], 0, theta, k, _b[l].Length);
                k += _b[l].Length;
            }

            return theta;
        }

        /// <summary>Sets all parameters from the flattened layout of <see cref="GetParameters"/>.</summary>
        public void SetParameters(double[] theta)
        {
            CheckLength(theta, ParameterCount, "parameter vector");
            int k = 0;
            for (int l = 0; l < Depth; l++)
            {
                Array.Copy(theta, k, _w[l], 0, _w[l].Length);
                k += _w[l].Length;
                Array.Copy(theta, k, _b[l], 0, _b[l].Length);
                k += _b[l].Length;
            }

            Invalidate();
        }

        /// <summary>The stored gradient of the loss, flattened like <see cref="GetParameters"/>.</summary>
        public double[] GetGradient()
        {
            var g = new double[ParameterCount];
            int k = 0;
            for (int l = 0; l < Depth; l++)
            {
                Array.Copy(_gw[l], 0, g, k, _gw[l].Length);
                k += _gw[l].Length;
                Array.Copy(_gb[l], 0, g, k, _gb[l].Length);
                k += _gb[l].Length;
            }

            return g;
        }

        /// <summary>The loss on a batch, without touching the stored gradients.</summary>
        public double Loss(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets, MlpLoss loss)
        {
            CheckBatch(inputs, targets);
            var cache = new ForwardCache(Depth, 1);
            double total = 0;
            for (int i = 0; i < inputs.Count; i++)
            {
                Forward(inputs[i], cache, 0);
                total += SampleLoss(cache.X[Depth][0], targets[i], loss, null);
            }

            return total / inputs.Count;
        }

        /// <summary>Computes the loss on the batch and stores its gradient with respect to every parameter; returns the loss.</summary>
        public double ComputeGradients(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets, MlpLoss loss)
        {
            CheckBatch(inputs, targets);
            for (int l = 0; l < Depth; l++)
            {
                Array.Clear(_gw[l], 0, _gw[l].Length);
                Array.Clear(_gb[l], 0, _gb[l].Length);
            }

            var cache = new ForwardCache(Depth, 1);
            var dOut = new double[OutputSize];
            double total = 0;
            double scale = 1.0 / inputs.Count;
            for (int i = 0; i < inputs.Count; i++)
            {
                Forward(inputs[i], cache, 0);
                total += SampleLoss(cache.X[Depth][0], targets[i], loss, dOut);
                for (int k = 0; k < dOut.Length; k++) dOut[k] *= scale;
                BackwardParameters(cache, 0, dOut, _gw, _gb);
            }

            return total / inputs.Count;
        }

        /// <summary>theta &lt;- theta - eta grad with eta = <see cref="LearningRate"/>.</summary>
        public void SgdStep()
        {
            double eta = LearningRate;
            for (int l = 0; l < Depth; l++)
            {
                var w = _w[l];
                var gw = _gw[l];
                for (int k = 0; k < w.Length; k++) w[k] -= eta * gw[k];
                var b = _b[l];
                var gb = _gb[l];
                for (int k = 0; k < b.Length; k++) b[k] -= eta * gb[k];
            }

            Invalidate();
        }

        /// <summary>One step of full-batch or mini-batch SGD: gradients, then the update; returns the loss before the step.</summary>
        public double TrainStep(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets, MlpLoss loss)
        {
            double value = ComputeGradients(inputs, targets, loss);
            SgdStep();
            return value;
        }

        /// <inheritdoc/>
        public double[] InputJvp(double[] v)
        {
            var cache = ProbeCache();
            int m = ProbeCount, n0 = InputSize, nl = OutputSize;
            CheckLength(v, m * n0, "stacked input tangent");
            var result = new double[m * nl];
            var t = new double[n0];
            for (int i = 0; i < m; i++)
            {
                Array.Copy(v, i * n0, t, 0, n0);
                var y = ForwardTangent(cache, i, t, null, null);
                Array.Copy(y, 0, result, i * nl, nl);
            }

            return result;
        }

        /// <inheritdoc/>
        public double[] InputVjp(double[] u)
        {
            var cache = ProbeCache();
            int m = ProbeCount, n0 = InputSize, nl = OutputSize;
            CheckLength(u, m * nl, "stacked output cotangent");
            var result = new double[m * n0];
            var ui = new double[nl];
            for (int i = 0; i < m; i++)
            {
                Array.Copy(u, i * nl, ui, 0, nl);
                var g = BackwardInput(cache, i, ui);
                Array.Copy(g, 0, result, i * n0, n0);
            }

            return result;
        }

        /// <inheritdoc/>
        public double[] ParameterGramProduct(double[] u)
        {
            var cache = ProbeCache();
            int m = ProbeCount, nl = OutputSize;
            CheckLength(u, m * nl, "stacked output vector");

            // J_theta^T u: back-propagate every probe's block into one parameter-sized vector.
            var dw = _w.Select(w => new double[w.Length]).ToArray();
            var db = _b.Select(b => new double[b.Length]).ToArray();
            var ui = new double[nl];
            for (int i = 0; i < m; i++)
            {
                Array.Copy(u, i * nl, ui, 0, nl);
                BackwardParameters(cache, i, ui, dw, db);
            }

            // J_theta g: tangent recursion with the parameter perturbation g, then the 1/M.
            var result = new double[m * nl];
            var zero = new double[InputSize];
            for (int i = 0; i < m; i++)
            {
                var y = ForwardTangent(cache, i, zero, dw, db);
                for (int k = 0; k < nl; k++) result[i * nl + k] = y[k] / m;
            }

            return result;
        }

        /// <inheritdoc/>
        public double[] Outputs()
        {
            var cache = ProbeCache();
            int nl = OutputSize;
            var result = new double[ProbeCount * nl];
            for (int i = 0; i < ProbeCount; i++) Array.Copy(cache.X[Depth][i], 0, result, i * nl, nl);
            return result;
        }

        /// <inheritdoc/>
        public IReadOnlyList<LayerGradientNorm> GradientNorms()
        {
            var norms = new LayerGradientNorm[Depth];
            for (int l = 0; l < Depth; l++)
            {
                double g = 0, p = 0;
                foreach (var x in _gw[l]) g += x * x;
                foreach (var x in _gb[l]) g += x * x;
                foreach (var x in _w[l]) p += x * x;
                foreach (var x in _b[l]) p += x * x;
                norms[l] = new LayerGradientNorm("layer" + (l + 1), Math.Sqrt(g), Math.Sqrt(p));
            }

            return norms;
        }

        private void Invalidate()
        {
            _version++;
            _probeCache = null;
        }

        private ForwardCache ProbeCache()
        {
            if (_probes.Length == 0) throw new InvalidOperationException("no probe inputs: call SetProbes first.");
            if (_probeCache != null && _probeCache.Version == _version) return _probeCache;
            var cache = new ForwardCache(Depth, _probes.Length) { Version = _version };
            for (int i = 0; i < _probes.Length; i++) Forward(_probes[i], cache, i);
            _probeCache = cache;
            return cache;
        }

        private void Forward(double[] x, ForwardCache cache, int slot)
        {
            cache.X[0][slot] = x;
            var input = x;
            for (int l = 0; l < Depth; l++)
            {
                int fanIn = _widths[l], fanOut = _widths[l + 1];
                var w = _w[l];
                var h = cache.H[l + 1][slot] ??= new double[fanOut];
                var d = cache.D[l + 1][slot] ??= new double[fanOut];
                var output = cache.X[l + 1][slot] ??= new double[fanOut];
                var phi = _activations[l];
                for (int o = 0; o < fanOut; o++)
                {
                    double s = _b[l][o];
                    int row = o * fanIn;
                    for (int i = 0; i < fanIn; i++) s += w[row + i] * input[i];
                    h[o] = s;
                    output[o] = phi.Evaluate(s);
                    d[o] = phi.Derivative(s);
                }

                input = output;
            }
        }

        /// <summary>t_L for t_0 = <paramref name="t0"/> and optional parameter perturbations (dW_l, db_l).</summary>
        private double[] ForwardTangent(ForwardCache cache, int slot, double[] t0, double[][]? dw, double[][]? db)
        {
            var t = t0;
            for (int l = 0; l < Depth; l++)
            {
                int fanIn = _widths[l], fanOut = _widths[l + 1];
                var w = _w[l];
                var xPrev = cache.X[l][slot];
                var d = cache.D[l + 1][slot];
                var next = new double[fanOut];
                for (int o = 0; o < fanOut; o++)
                {
                    double s = 0;
                    int row = o * fanIn;
                    for (int i = 0; i < fanIn; i++) s += w[row + i] * t[i];
                    if (dw != null)
                    {
                        var g = dw[l];
                        for (int i = 0; i < fanIn; i++) s += g[row + i] * xPrev[i];
                        s += db![l][o];
                    }

                    next[o] = d[o] * s;
                }

                t = next;
            }

            return t;
        }

        /// <summary>J^T u at the cached point.</summary>
        private double[] BackwardInput(ForwardCache cache, int slot, double[] u)
        {
            var g = (double[])u.Clone();
            for (int l = Depth - 1; l >= 0; l--)
            {
                int fanIn = _widths[l], fanOut = _widths[l + 1];
                var w = _w[l];
                var d = cache.D[l + 1][slot];
                var prev = new double[fanIn];
                for (int o = 0; o < fanOut; o++)
                {
                    double delta = d[o] * g[o];
                    if (delta == 0) continue;
                    int row = o * fanIn;
                    for (int i = 0; i < fanIn; i++) prev[i] += w[row + i] * delta;
                }

                g = prev;
            }

            return g;
        }

        /// <summary>Adds J_theta^T u (the gradient of u . f(x) with respect to the parameters) into (dw, db).</summary>
        private void BackwardParameters(ForwardCache cache, int slot, double[] u, double[][] dw, double[][] db)
        {
            var g = (double[])u.Clone();
            for (int l = Depth - 1; l >= 0; l--)
            {
                int fanIn = _widths[l], fanOut = _widths[l + 1];
                var w = _w[l];
                var d = cache.D[l + 1][slot];
                var xPrev = cache.X[l][slot];
                var gw = dw[l];
                var gb = db[l];
                var prev = l > 0 ? new double[fanIn] : null;
                for (int o = 0; o < fanOut; o++)
                {
                    double delta = d[o] * g[o];
                    if (delta == 0) continue;
                    gb[o] += delta;
                    int row = o * fanIn;
                    for (int i = 0; i < fanIn; i++) gw[row + i] += delta * xPrev[i];
                    if (prev != null)
                        for (int i = 0; i < fanIn; i++) prev[i] += w[row + i] * delta;
                }

                if (prev != null) g = prev;
            }
        }

        /// <summary>Loss of one sample; writes dLoss/df into <paramref name="gradient"/> when given.</summary>
        private static double SampleLoss(double[] f, double[] y, MlpLoss loss, double[]? gradient)
        {
            if (loss == MlpLoss.HalfSquaredError)
            {
                double s = 0;
                for (int k = 0; k < f.Length; k++)
                {
                    double r = f[k] - y[k];
                    s += r * r;
                    if (gradient != null) gradient[k] = r;
                }

                return 0.5 * s;
            }

            var p = Softmax(f);
            double value = 0;
            double mass = 0;
            for (int k = 0; k < f.Length; k++)
            {
                mass += y[k];
                if (y[k] != 0) value -= y[k] * Math.Log(Math.Max(p[k], 1e-300));
            }

            if (gradient != null)
                for (int k = 0; k < f.Length; k++) gradient[k] = mass * p[k] - y[k];
            return value;
        }

        /// <summary>softmax(f), computed stably.</summary>
        public static double[] Softmax(double[] f)
        {
            double max = f.Max();
            var p = f.Select(v => Math.Exp(v - max)).ToArray();
            double sum = p.Sum();
            for (int k = 0; k < p.Length; k++) p[k] /= sum;
            return p;
        }

        private void CheckBatch(IReadOnlyList<double[]> inputs, IReadOnlyList<double[]> targets)
        {
            if (inputs == null || targets == null || inputs.Count == 0 || inputs.Count != targets.Count)
                throw new ArgumentException("inputs and targets must be non-empty and of the same count.");
            for (int i = 0; i < inputs.Count; i++)
            {
                CheckLength(inputs[i], InputSize, "input");
                CheckLength(targets[i], OutputSize, "target");
            }
        }

        private static void CheckLength(double[] v, int n, string what)
        {
            if (v == null) throw new ArgumentNullException(what);
            if (v.Length != n) throw new ArgumentException($"{what} has {v.Length} entries, expected {n}.");
        }

        private sealed class ForwardCache
        {
            public ForwardCache(int depth, int slots)
            {
                X = new double[depth + 1][][];
                H = new double[depth + 1][][];
                D = new double[depth + 1][][];
                for (int l = 0; l <= depth; l++)
                {
                    X[l] = new double[slots][];
                    H[l] = new double[slots][];
                    D[l] = new double[slots][];
                }
            }

            public long Version { get; set; }

            public double[][][] X { get; }

            public double[][][] H { get; }

            public double[][][] D { get; }
        }
    }
}
