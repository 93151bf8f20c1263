using System;
using System.Globalization;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Diagnostics.Runtime.Reference
{
    /// <summary>How the weights and biases of one layer of a <see cref="ReferenceMlp"/> are drawn.</summary>
    public abstract class MlpInitialization
    {
        private MlpInitialization()
        {
        }

        /// <summary>Gaussian entries N(0, sigma_w^2 / fan_in), biases N(0, sigma_b^2) (the engine's convention).</summary>
        public static MlpInitialization Gaussian(double weightVariance, double biasVariance = 0) => new GaussianInit(weightVariance, biasVariance);

        /// <summary>W = sigma_w Q with orthonormal rows or columns (TorchSharp's <c>orthogonal_(w, gain)</c>), biases N(0, sigma_b^2).</summary>
        public static MlpInitialization Orthogonal(double weightVariance, double biasVariance = 0) => new OrthogonalInit(weightVariance, biasVariance);

        /// <summary>
        /// TorchSharp's <c>Linear</c> default: weights kaiming_uniform_(a = sqrt 5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        /// (variance 1/(3 fan_in), sigma_w^2 = 1/3); biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        /// </summary>
        public static MlpInitialization TorchSharpDefault { get; } = new TorchSharpDefaultInit();

        /// <summary>The engine's layer description turned into an initialisation (Gaussian or orthogonal).</summary>
        public static MlpInitialization FromLayer(Layer layer) => layer.Weights == WeightDistribution.Orthogonal
            ? Orthogonal(layer.WeightVariance, layer.BiasVariance)
            : Gaussian(layer.WeightVariance, layer.BiasVariance);

        /// <summary>Fills <paramref name="weights"/> (row-major fanOut x fanIn) and <paramref name="bias"/>.</summary>
        internal abstract void Draw(double[] weights, double[] bias, int fanIn, int fanOut, Random random);

        private static void CheckVariance(double value, string what, bool allowZero)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0 || (!allowZero && value == 0))
                throw new InvalidArchitectureException($"{what} must be a finite number {(allowZero ? ">= 0" : "> 0")}, got {value.ToString(CultureInfo.InvariantCulture)}.");
        }

        private static void DrawGaussianBias(double[] bias, double variance, Random random)
        {
            double sd = Math.Sqrt(variance);
            for (int i = 0; i < bias.Length; i++) bias[i] = variance > 0 ? Normal.Sample(random, 0, sd) : 0;
        }

        private sealed class GaussianInit : MlpInitialization
        {
            private readonly double _w;
            private readonly double _b;

            public GaussianInit(double w, double b)
            {
                CheckVariance(w, "weight variance", false);
                CheckVariance(b, "bias variance", true);
                _w = w;
                _b = b;
            }

            internal override void Draw(double[] weights, double[] bias, int fanIn, int fanOut, Random random)
            {
                double sd = Math.Sqrt(_w / fanIn);
                for (int i = 0; i < weights.Length; i++) weights[i] = Normal.Sample(random, 0, sd);
                DrawGaussianBias(bias, _b, random);
            }

            public override string ToString() => $"gaussian(sigma_w^2={_w.ToString("G4", CultureInfo.InvariantCulture)})";
        }

        private sealed class OrthogonalInit : MlpInitialization
        {
            private readonly double _w;
            private readonly double _b;

            public OrthogonalInit(double w, double b)
            {
                CheckVariance(w, "weight variance", false);
                CheckVariance(b, "bias variance", true);
                _w = w;
                _b = b;
            }

            internal override void Draw(double[] weights, double[] bias, int fanIn, int fanOut, Random random)
            {
                // Haar-distributed Q from the QR factorisation of a Gaussian matrix, signs fixed by diag(R).
                bool tall = fanOut >= fanIn;
                int rows = tall ? fanOut : fanIn, cols = tall ? fanIn : fanOut;
                var a = Matrix<double>.Build.Dense(rows, cols, (i, j) => Normal.Sample(random, 0, 1));
                var qr = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
                var q = qr.Q;
                var r = qr.R;
                double gain = Math.Sqrt(_w);
                for (int o = 0; o < fanOut; o++)
                {
                    for (int i = 0; i < fanIn; i++)
                    {
                        // W (fanOut x fanIn) = Q (tall) or Q^T (wide), column k of Q scaled by sign(R_kk).
                        int row = tall ? o : i, col = tall ? i : o;
                        double sign = r[col, col] < 0 ? -1 : 1;
                        weights[o * fanIn + i] = gain * sign * q[row, col];
                    }
                }

                DrawGaussianBias(bias, _b, random);
            }

            public override string ToString() => $"orthogonal(sigma_w^2={_w.ToString("G4", CultureInfo.InvariantCulture)})";
        }

        private sealed class TorchSharpDefaultInit : MlpInitialization
        {
            internal override void Draw(double[] weights, double[] bias, int fanIn, int fanOut, Random random)
            {
                double bound = 1 / Math.Sqrt(fanIn);
                for (int i = 0; i < weights.Length; i++) weights[i] = ContinuousUniform.Sample(random, -bound, bound);
                for (int i = 0; i < bias.Length; i++) bias[i] = ContinuousUniform.Sample(random, -bound, bound);
            }

            public override string ToString() => "torchsharp-default";
        }
    }
}
