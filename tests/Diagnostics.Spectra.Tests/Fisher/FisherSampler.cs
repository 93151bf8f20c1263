using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Tests.MonteCarlo;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// The dual conditional FIM of real sampled networks: forward pass on one Gaussian input, backward pass for
/// d_l = dh_L/dh_l (M x N_l), then H_L = (1/M) sum_l |x_{l-1}|^2 d_l d_l^T (the last layer is linear: its activation is
/// not applied). Independent of the engine: only the weight sampler of the Jacobian Monte-Carlo tests is shared.
/// </summary>
public static class FisherSampler
{
    /// <summary>Eigenvalues of H_L for <paramref name="draws"/> independent networks and inputs, pooled, ascending; and the largest per draw.</summary>
    public static (double[] Pooled, double[] LargestPerDraw) Sample(NetworkArchitecture network, int seed, int draws)
    {
        var all = new List<double>();
        var largest = new double[draws];
        for (int k = 0; k < draws; k++)
        {
            var gaussian = new GaussianSource(unchecked(seed * 7919 + k * 104729 + 31) & int.MaxValue);
            var e = SampleOnce(network, gaussian);
            largest[k] = e.Max();
            all.AddRange(e);
        }

        all.Sort();
        return (all.ToArray(), largest);
    }

    public static double[] SampleOnce(NetworkArchitecture network, GaussianSource gaussian)
    {
        int depth = network.Depth;
        var widths = network.Widths;
        var input = new double[widths[0]];
        gaussian.Fill(input, Math.Sqrt(network.InputVariance));
        var x = Vector<double>.Build.DenseOfArray(input);
        var weights = new Matrix<double>[depth];
        var derivatives = new double[depth][];
        var norms = new double[depth]; // |x_{l-1}|^2
        for (int l = 0; l < depth; l++)
        {
            var layer = network.Layers[l];
            norms[l] = x.DotProduct(x);
            weights[l] = RandomNetworkSampler.Weights(layer, widths[l], widths[l + 1], gaussian);
            var h = weights[l] * x;
            if (layer.BiasVariance > 0)
            {
                double sb = Math.Sqrt(layer.BiasVariance);
                for (int i = 0; i < h.Count; i++) h[i] += sb * gaussian.Next();
            }

            if (l == depth - 1) break;
            var d = new double[h.Count];
            var next = new double[h.Count];
            for (int i = 0; i < h.Count; i++)
            {
                d[i] = layer.Activation.Derivative(h[i]);
                next[i] = layer.Activation.Evaluate(h[i]);
            }

            derivatives[l] = d;
            x = Vector<double>.Build.DenseOfArray(next);
        }

        int m = widths[depth];
        // Backward: d_L = I, d_l = d_{l+1} W_{l+1} D_l.
        var dl = Matrix<double>.Build.DenseIdentity(m);
        var fim = dl.Multiply(norms[depth - 1]);
        for (int l = depth - 2; l >= 0; l--)
        {
            var product = dl * weights[l + 1]; // M x N_{l+1} (layer index l+1 is 0-based weight of layer l+2)
            var dd = derivatives[l];
            for (int j = 0; j < product.ColumnCount; j++)
            {
                double s = dd[j];
                for (int i = 0; i < m; i++) product[i, j] *= s;
            }

            dl = product;
            fim += dl.TransposeAndMultiply(dl).Multiply(norms[l]);
        }

        fim = fim.Divide(m);
        var evd = fim.Evd(Symmetricity.Symmetric);
        return evd.EigenValues.Select(c => c.Real).ToArray();
    }
}
