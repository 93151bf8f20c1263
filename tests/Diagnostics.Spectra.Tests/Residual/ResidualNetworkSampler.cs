using Diagnostics.Spectra.Residual;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Diagnostics.Spectra.Tests.Residual;

/// <summary>
/// One draw of a real residual network x^l = phi(W^l x^{l-1} + b^l) + a x^{l-1} (W entries N(0, sigma_W^2/(L N)),
/// b entries N(0, sigma_b^2), input N(0, q_0)): the eigenvalues of J^T J for J = prod_l (a I + D_l W_l), and per layer the
/// empirical q^l = mean (h^l_i)^2, p^l = mean (x^l_i)^2 and c_2^l = sigma_W^2 mean phi'(h^l_i)^2.
/// </summary>
internal sealed class ResidualNetworkSample
{
    private ResidualNetworkSample(double[] eigenvalues, double[] q, double[] p, double[] c2)
    {
        Eigenvalues = eigenvalues;
        Q = q;
        P = p;
        C2 = c2;
    }

    /// <summary>Eigenvalues of J^T J (squared singular values of J), ascending.</summary>
    public double[] Eigenvalues { get; }

    public double[] Q { get; }

    public double[] P { get; }

    public double[] C2 { get; }

    public double Mean => Eigenvalues.Average();

    /// <summary>Mean of the eigenvalues below <paramref name="threshold"/> (drops the outliers) and how many were dropped.</summary>
    public double TrimmedMean(double threshold, out int dropped)
    {
        var bulk = Eigenvalues.Where(v => v < threshold).ToArray();
        dropped = Eigenvalues.Length - bulk.Length;
        return bulk.Average();
    }

    public double EffectiveCumulant => C2.Average();

    /// <summary>One draw; with <paramref name="jacobian"/> false only the forward pass (no eigenvalues, O(L N^2)).</summary>
    public static ResidualNetworkSample Draw(ResidualArchitecture net, int seed, bool jacobian = true)
    {
        int n = net.Width, depth = net.Depth;
        var random = new Random(seed);
        double weightSd = Math.Sqrt(net.WeightEntryVariance);
        var input = new Normal(0, Math.Sqrt(net.InputVariance), random);
        var phi = net.Activation;
        double a = net.SkipScale;
        // The theory is conditional on the input: normalise it to the exact second moment q_0.
        var x = Vector<double>.Build.Dense(n, _ => input.Sample());
        x *= Math.Sqrt(net.InputVariance * n / x.DotProduct(x));
        Matrix<double> product = DenseMatrix.CreateIdentity(n);
        var q = new double[depth];
        var p = new double[depth];
        var c2 = new double[depth];
        for (int l = 0; l < depth; l++)
        {
            var entries = new double[n * n];
            Normal.Samples(random, entries, 0, weightSd);
            var w = new DenseMatrix(n, n, entries);
            var h = w * x;
            if (net.BiasVariance > 0)
            {
                var b = new double[n];
                Normal.Samples(random, b, 0, Math.Sqrt(net.BiasVariance));
                h += Vector<double>.Build.Dense(b);
            }
            var d = h.Map(phi.Derivative);
            q[l] = h.DotProduct(h) / n;
            c2[l] = net.WeightVariance * d.DotProduct(d) / n;
            x = h.Map(phi.Evaluate) + a * x;
            p[l] = x.DotProduct(x) / n;

            if (!jacobian) continue;

            // J <- (a I + D W) J.
            var wj = (DenseMatrix)(w * product);
            double[] next = wj.Values, previous = ((DenseMatrix)product).Values; // column-major
            for (int j = 0; j < n; j++)
            {
                int column = j * n;
                for (int i = 0; i < n; i++) next[column + i] = d[i] * next[column + i] + a * previous[column + i];
            }

            product = wj;
        }

        if (!jacobian) return new ResidualNetworkSample(Array.Empty<double>(), q, p, c2);
        var singular = product.Svd(computeVectors: false).S;
        var eigenvalues = singular.Select(s => s * s).ToArray();
        Array.Sort(eigenvalues);
        return new ResidualNetworkSample(eigenvalues, q, p, c2);
    }

    /// <summary>Empirical quantile (linear interpolation between order statistics) of an ascending sample.</summary>
    public static double Quantile(double[] ascending, double level)
    {
        double position = level * (ascending.Length - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, ascending.Length - 1);
        return ascending[lo] + (position - lo) * (ascending[hi] - ascending[lo]);
    }
}
