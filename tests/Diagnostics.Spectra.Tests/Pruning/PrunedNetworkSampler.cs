using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// Samples real pruned random networks: Gaussian weights N(0, sigma_w^2 / N_{l-1}) drawn as in
/// <see cref="RandomNetworkSampler"/>, then pruned by <see cref="WeightPruning.Prune"/> (random or magnitude, rescaled or
/// not) in the layers the specification names; forward pass of one Gaussian input, J = D_L W_L ... D_1 W_1 from the same
/// pass, eigenvalues of J^T J by the symmetric EVD. With <c>sparsity = 0</c> the draw is the dense network of the same seed
/// (common random numbers: the pruned and dense draws share the weights before pruning and the input).
/// </summary>
internal static class PrunedNetworkSampler
{
    public static SampledSpectrum Sample(NetworkArchitecture dense, PruningSpecification pruning, int seed, int draws)
    {
        var eigen = new double[draws][];
        var q = new double[draws][];
        var d2 = new double[draws][];
        var active = new double[draws][];
        for (int k = 0; k < draws; k++)
        {
            int drawSeed = unchecked(seed * 7919 + k * 104729 + 17) & int.MaxValue;
            eigen[k] = SampleOnce(dense, pruning, drawSeed, out q[k], out d2[k], out active[k]);
        }

        return new SampledSpectrum(eigen, q, d2, active);
    }

    public static double[] SampleOnce(NetworkArchitecture dense, PruningSpecification pruning, int seed,
        out double[] preActivationVariance, out double[] derivativeSecondMoment, out double[] activeFraction)
    {
        var gaussian = new GaussianSource(seed);
        var mask = new Random(seed ^ 0x5bd1e995);
        int depth = dense.Depth;
        preActivationVariance = new double[depth];
        derivativeSecondMoment = new double[depth];
        activeFraction = new double[depth];
        int n0 = dense.Widths[0];
        var input = new double[n0];
        gaussian.Fill(input, Math.Sqrt(dense.InputVariance));
        var x = Vector<double>.Build.DenseOfArray(input);
        Matrix<double>? jacobian = null;
        for (int l = 0; l < depth; l++)
        {
            var layer = dense.Layers[l];
            int fanIn = dense.Widths[l], fanOut = dense.Widths[l + 1];
            var data = new double[fanIn * fanOut];
            gaussian.Fill(data, Math.Sqrt(layer.WeightVariance / fanIn));
            Matrix<double> w = new DenseMatrix(fanOut, fanIn, data);
            if (pruning.IsPruned(l + 1) && pruning.Sparsity > 0)
                w = WeightPruning.Prune(w, pruning.Sparsity, pruning.Method, pruning.Rescale, mask);
            var h = w * x;
            if (layer.BiasVariance > 0)
            {
                double sb = Math.Sqrt(layer.BiasVariance);
                for (int i = 0; i < fanOut; i++) h[i] += sb * gaussian.Next();
            }

            var next = new double[fanOut];
            var d = new double[fanOut];
            double sumH2 = 0, sumD2 = 0;
            int nonZero = 0;
            for (int i = 0; i < fanOut; i++)
            {
                next[i] = layer.Activation.Evaluate(h[i]);
                d[i] = layer.Activation.Derivative(h[i]);
                sumH2 += h[i] * h[i];
                sumD2 += d[i] * d[i];
                if (d[i] != 0) nonZero++;
            }

            preActivationVariance[l] = sumH2 / fanOut;
            derivativeSecondMoment[l] = sumD2 / fanOut;
            activeFraction[l] = (double)nonZero / fanOut;
            var product = jacobian == null ? w : w * jacobian;
            var values = product.AsColumnMajorArray();
            int rows = product.RowCount;
            for (int j = 0; j < product.ColumnCount; j++)
            {
                for (int i = 0; i < rows; i++) values[j * rows + i] *= d[i];
            }

            jacobian = product;
            x = Vector<double>.Build.DenseOfArray(next);
        }

        var gram = jacobian!.TransposeThisAndMultiply(jacobian);
        var evd = gram.Evd(Symmetricity.Symmetric);
        var result = new double[n0];
        for (int i = 0; i < n0; i++) result[i] = evd.EigenValues[i].Real;
        return result;
    }
}
