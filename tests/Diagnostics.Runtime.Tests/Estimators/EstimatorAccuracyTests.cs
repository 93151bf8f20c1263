using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Diagnostics.Runtime.Tests.Estimators;

public class EstimatorAccuracyTests
{
    private static (ReferenceMlp Net, double[][] Probes) Network(Activation phi, double sigma2, int width, int probes, int seed)
    {
        var net = ReferenceMlp.Uniform(new[] { width, width, width, width }, phi, MlpInitialization.Gaussian(sigma2), seed);
        var x = TestData.GaussianInputs(probes, width, seed + 100);
        net.SetProbes(x);
        return (net, x);
    }

    public static TheoryData<string, double> Activations => new()
    {
        { "relu", 2.0 },
        { "tanh", 1.5 },
        { "identity", 1.0 },
    };

    [Theory]
    [MemberData(nameof(Activations))]
    public void SpectralNorm_MatchesDenseSvd(string activation, double sigma2)
    {
        var (net, probes) = Network(Activation.Parse(activation), sigma2, 64, 3, 1);
        var dense = TestData.StackedInputJacobian(net, probes).Svd(computeVectors: false).S[0];
        var estimate = new SpectralNormEstimator().Estimate(net);
        Assert.Equal(EstimateStatus.Converged, estimate.Status);
        // Tolerance 1e-6 on the Ritz residual of lambda_max bounds the error on ||J|| by about 5e-7 relative once the
        // top eigenvalue is isolated; the dense SVD is exact to 1e-14.
        Assert.True(TestData.RelativeError(estimate.Value, dense) < 1e-6, $"estimate {estimate}, dense {dense}");
        Assert.True(Math.Abs(estimate.Value - dense) <= Math.Max(estimate.ErrorBar, 1e-9 * dense) * 1.01, $"error bar {estimate.ErrorBar} misses {estimate.Value - dense}");
    }

    [Fact]
    public void SpectralNorm_WarmStartNeedsFewerSteps()
    {
        var (net, _) = Network(Activation.Relu, 2, 64, 2, 3);
        var estimator = new SpectralNormEstimator();
        var cold = estimator.Estimate(net);
        // A small parameter change, as one SGD step makes.
        var theta = net.GetParameters();
        var noise = TestData.RandomVector(theta.Length, 4);
        net.SetParameters(theta.Zip(noise, (t, n) => t + 1e-4 * n).ToArray());
        var warm = estimator.Estimate(net);
        Assert.Equal(EstimateStatus.Converged, warm.Status);
        Assert.True(warm.Iterations < cold.Iterations, $"warm {warm.Iterations} steps, cold {cold.Iterations}");
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void MeanSquaredSingularValue_IsWithinThreeStandardErrorsOfTheTrace(string activation, double sigma2)
    {
        var (net, probes) = Network(Activation.Parse(activation), sigma2, 64, 3, 5);
        var j = TestData.StackedInputJacobian(net, probes);
        double exact = j.FrobeniusNorm() * j.FrobeniusNorm() / j.ColumnCount;
        var estimator = new MeanSquaredSingularValueEstimator { RelativeTolerance = 0.02, MaxSamples = 400 };
        var estimate = estimator.Estimate(net);
        Assert.Equal(EstimateStatus.Converged, estimate.Status);
        Assert.True(estimate.ErrorBar <= 0.02 * estimate.Value);
        // A 3-sigma band fails with probability 0.3% for a normal sample mean; the seed is fixed, so the test is
        // deterministic, but it would fail for a biased estimator.
        Assert.True(Math.Abs(estimate.Value - exact) < 3 * estimate.ErrorBar, $"estimate {estimate}, exact {exact}");
    }

    [Fact]
    public void FisherMaxEigenvalue_MatchesDenseEigendecomposition()
    {
        var net = new ReferenceMlp(new[] { 5, 10, 10, 3 }, new[] { Activation.Tanh, Activation.Relu, Activation.Identity },
            new[] { MlpInitialization.Gaussian(1.5, 0.1), MlpInitialization.Gaussian(2, 0.1), MlpInitialization.Gaussian(1) }, 2);
        var probes = TestData.GaussianInputs(6, 5, 3);
        net.SetProbes(probes);
        var jt = TestData.ParameterJacobianByFiniteDifferences(net, probes);
        var fisher = jt.TransposeThisAndMultiply(jt) / probes.Length; // P x P Gauss-Newton of the half-MSE loss
        double dense = fisher.Evd(Symmetricity.Symmetric).EigenValues.Max(c => c.Real);
        var estimate = new FisherMaxEigenvalueEstimator { Tolerance = 1e-8 }.Estimate(net);
        Assert.Equal(EstimateStatus.Converged, estimate.Status);
        // The finite-difference Jacobian carries ~1e-9 relative error; the dual form is exact.
        Assert.True(TestData.RelativeError(estimate.Value, dense) < 1e-6, $"estimate {estimate}, dense {dense}");
    }

    [Fact]
    public void GaussNewtonMaxEigenvalue_MatchesDenseCrossEntropyGaussNewton()
    {
        var net = new ReferenceMlp(new[] { 5, 10, 4 }, new[] { Activation.Tanh, Activation.Identity },
            new[] { MlpInitialization.Gaussian(1.5, 0.1), MlpInitialization.Gaussian(4) }, 5);
        var probes = TestData.GaussianInputs(6, 5, 6);
        net.SetProbes(probes);
        var jt = TestData.ParameterJacobianByFiniteDifferences(net, probes);
        int k = 4;
        var h = Matrix<double>.Build.Dense(6 * k, 6 * k);
        var logits = net.Outputs();
        for (int i = 0; i < 6; i++)
        {
            var p = ReferenceMlp.Softmax(logits.Skip(i * k).Take(k).ToArray());
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++) h[i * k + a, i * k + b] = (a == b ? p[a] : 0) - p[a] * p[b];
        }

        var g = jt.TransposeThisAndMultiply(h * jt) / 6; // (1/M) sum_i J_i^T H_i J_i, P x P
        double dense = g.Evd(Symmetricity.Symmetric).EigenValues.Max(c => c.Real);
        var estimate = new GaussNewtonMaxEigenvalueEstimator { Tolerance = 1e-8 }.Estimate(net);
        Assert.Equal(EstimateStatus.Converged, estimate.Status);
        Assert.True(TestData.RelativeError(estimate.Value, dense) < 1e-6, $"estimate {estimate}, dense {dense}");
    }

    [Fact]
    public void SoftmaxHessianFactor_ReproducesH()
    {
        var p = ReferenceMlp.Softmax(new[] { 0.3, -1.2, 2.0, 0.1 });
        var s = p.Select(Math.Sqrt).ToArray();
        for (int c = 0; c < 4; c++)
        {
            // Column c of A A^T = A (A^T e_c) must equal column c of diag(p) - p p^T.
            var e = new double[4];
            e[c] = 1;
            var col = GaussNewtonMaxEigenvalueEstimator.ApplyA(GaussNewtonMaxEigenvalueEstimator.ApplyAT(e, p, s, 1, 4), p, s, 1, 4);
            for (int a = 0; a < 4; a++) Assert.Equal((a == c ? p[a] : 0) - p[a] * p[c], col[a], 15);
        }
    }

    [Fact]
    public void StochasticLanczosQuadrature_MatchesDenseEigenvalues()
    {
        var (net, probes) = Network(Activation.Relu, 2, 100, 2, 7);
        var j = TestData.StackedInputJacobian(net, probes);
        var eig = j.TransposeThisAndMultiply(j).Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).OrderBy(x => x).ToArray();
        var slq = new StochasticLanczosQuadrature { Vectors = 10, Steps = 40 }.Estimate(net);
        Assert.True(slq.HasValue);
        Assert.True(TestData.RelativeError(slq.Largest.Value, eig[^1]) < 1e-6, $"largest {slq.Largest.Value} vs {eig[^1]}");
        // Trace estimate from 10 Rademacher vectors in 200 dimensions: relative sd ~ sqrt(2/(10 * 200 * (1 - atom))) ~ 4%.
        Assert.True(TestData.RelativeError(slq.Mean, eig.Average()) < 0.12, $"mean {slq.Mean} vs {eig.Average()}");
        // CDF at the dense deciles: Gauss quadrature with 40 nodes resolves the CDF to ~1/40 per run; random weights add
        // ~ sqrt(1/(10*200)) ~ 0.02. Tolerance 0.06.
        // Square ReLU: about half the eigenvalues are exact zeros (round-off ~1e-14 lambda_max in the dense EVD).
        double cut = 1e-9 * eig[^1];
        double atom = eig.Count(e => e <= cut) / (double)eig.Length;
        // Gauss quadrature with 40 nodes cannot separate this atom from the hard-edge continuum just above it (the
        // lowest node mixes both), so the atom is compared through the CDF at the first non-zero decile instead.
        Assert.InRange(atom, 0.5, 0.6);
        for (int d = 1; d <= 9; d++)
        {
            double x = eig[(int)(d / 10.0 * eig.Length)];
            if (x <= cut) continue;
            double empirical = eig.Count(e => e < x) / (double)eig.Length;
            Assert.True(Math.Abs(slq.Cdf(x) - empirical) < 0.06, $"decile {d}: slq {slq.Cdf(x)}, dense {empirical}");
        }
    }
}
