using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Diagnostics.Runtime.Tests;

/// <summary>Random inputs, dense Jacobians and finite differences for the tests.</summary>
internal static class TestData
{
    public static double[][] GaussianInputs(int count, int size, int seed, double variance = 1)
    {
        var random = new Random(seed);
        double sd = Math.Sqrt(variance);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, size).Select(_ => Normal.Sample(random, 0, sd)).ToArray()).ToArray();
    }

    public static double[] RandomVector(int size, int seed) => GaussianInputs(1, size, seed)[0];

    /// <summary>Block-diagonal dense input Jacobian over the probes, (M N_L) x (M N_0).</summary>
    public static Matrix<double> StackedInputJacobian(ReferenceMlp net, double[][] probes)
    {
        int n0 = net.InputSize, nl = net.OutputSize, m = probes.Length;
        var j = Matrix<double>.Build.Dense(m * nl, m * n0);
        for (int i = 0; i < m; i++)
        {
            var block = net.InputJacobian(probes[i]);
            for (int a = 0; a < nl; a++)
                for (int b = 0; b < n0; b++) j[i * nl + a, i * n0 + b] = block[a, b];
        }

        return j;
    }

    /// <summary>Dense J_theta ((M N_L) x P) by central finite differences of the outputs at the probes (step 1e-6).</summary>
    public static Matrix<double> ParameterJacobianByFiniteDifferences(ReferenceMlp net, double[][] probes, double h = 1e-6)
    {
        var theta = net.GetParameters();
        int p = theta.Length, nl = net.OutputSize, m = probes.Length;
        var j = Matrix<double>.Build.Dense(m * nl, p);
        for (int k = 0; k < p; k++)
        {
            double keep = theta[k];
            theta[k] = keep + h;
            net.SetParameters(theta);
            var plus = probes.Select(net.Predict).ToArray();
            theta[k] = keep - h;
            net.SetParameters(theta);
            var minus = probes.Select(net.Predict).ToArray();
            theta[k] = keep;
            for (int i = 0; i < m; i++)
                for (int a = 0; a < nl; a++) j[i * nl + a, k] = (plus[i][a] - minus[i][a]) / (2 * h);
        }

        net.SetParameters(theta);
        return j;
    }

    public static double RelativeError(double actual, double expected) => Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);

    public static double MaxRelativeError(double[] actual, double[] expected)
    {
        double scale = expected.Max(Math.Abs);
        return actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / Math.Max(scale, 1e-300);
    }
}
