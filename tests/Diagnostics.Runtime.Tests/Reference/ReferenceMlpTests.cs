using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace Diagnostics.Runtime.Tests.Reference;

public class ReferenceMlpTests
{
    private static ReferenceMlp SmoothNet(int seed = 1) => new ReferenceMlp(
        new[] { 6, 9, 7, 4 },
        new[] { Activation.Tanh, Activation.Gelu, Activation.Identity },
        new[] { MlpInitialization.Gaussian(1.5, 0.1), MlpInitialization.Orthogonal(2, 0.05), MlpInitialization.TorchSharpDefault },
        seed);

    [Fact]
    public void InputJvp_MatchesCentralFiniteDifferences()
    {
        var net = SmoothNet();
        var probes = TestData.GaussianInputs(3, 6, 11);
        net.SetProbes(probes);
        var v = TestData.RandomVector(18, 12);
        var jv = net.InputJvp(v);

        // Central differences of a smooth map: error O(h^2 f''') ~ 1e-10 at h = 1e-5, far below the 1e-7 tolerance.
        const double h = 1e-5;
        for (int i = 0; i < 3; i++)
        {
            var plus = probes[i].Select((x, k) => x + h * v[i * 6 + k]).ToArray();
            var minus = probes[i].Select((x, k) => x - h * v[i * 6 + k]).ToArray();
            var fd = net.Predict(plus).Zip(net.Predict(minus), (a, b) => (a - b) / (2 * h)).ToArray();
            Assert.True(TestData.MaxRelativeError(jv.Skip(i * 4).Take(4).ToArray(), fd) < 1e-7);
        }
    }

    [Fact]
    public void InputProducts_MatchDenseJacobian_AndAreAdjoint()
    {
        var net = ReferenceMlp.Uniform(new[] { 8, 12, 12, 5 }, Activation.Relu, MlpInitialization.Gaussian(2, 0.1), 3);
        var probes = TestData.GaussianInputs(2, 8, 4);
        net.SetProbes(probes);
        var j = TestData.StackedInputJacobian(net, probes);
        var v = TestData.RandomVector(16, 5);
        var u = TestData.RandomVector(10, 6);
        Assert.True(TestData.MaxRelativeError(net.InputJvp(v), (j * Vector<double>.Build.DenseOfArray(v)).ToArray()) < 1e-12);
        Assert.True(TestData.MaxRelativeError(net.InputVjp(u), (j.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(u))).ToArray()) < 1e-12);
        double left = net.InputJvp(v).Zip(u, (a, b) => a * b).Sum();
        double right = net.InputVjp(u).Zip(v, (a, b) => a * b).Sum();
        Assert.True(TestData.RelativeError(left, right) < 1e-12);
    }

    [Theory]
    [InlineData(MlpLoss.HalfSquaredError)]
    [InlineData(MlpLoss.CrossEntropy)]
    public void ParameterGradient_MatchesFiniteDifferencesOfTheLoss(MlpLoss loss)
    {
        var net = SmoothNet(7);
        var x = TestData.GaussianInputs(5, 6, 8);
        var y = loss == MlpLoss.CrossEntropy
            ? Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 4).Select(k => k == i % 4 ? 1.0 : 0.0).ToArray()).ToArray()
            : TestData.GaussianInputs(5, 4, 9);
        net.ComputeGradients(x, y, loss);
        var g = net.GetGradient();
        var theta = net.GetParameters();
        const double h = 1e-5;
        var fd = new double[theta.Length];
        for (int k = 0; k < theta.Length; k++)
        {
            double keep = theta[k];
            theta[k] = keep + h;
            net.SetParameters(theta);
            double plus = net.Loss(x, y, loss);
            theta[k] = keep - h;
            net.SetParameters(theta);
            double minus = net.Loss(x, y, loss);
            theta[k] = keep;
            fd[k] = (plus - minus) / (2 * h);
        }

        net.SetParameters(theta);
        Assert.True(TestData.MaxRelativeError(g, fd) < 1e-7);
    }

    [Fact]
    public void ParameterGramProduct_MatchesFiniteDifferenceParameterJacobian()
    {
        var net = SmoothNet(13);
        var probes = TestData.GaussianInputs(3, 6, 14);
        net.SetProbes(probes);
        var jt = TestData.ParameterJacobianByFiniteDifferences(net, probes);
        var u = TestData.RandomVector(12, 15);
        var expected = (jt * jt.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(u)) / 3).ToArray();
        // FD Jacobian entries carry ~1e-10 absolute error; the product sums ~ P = 200 of them.
        Assert.True(TestData.MaxRelativeError(net.ParameterGramProduct(u), expected) < 1e-7);
    }

    [Fact]
    public void SgdStep_MovesAgainstTheGradient_AndLowersTheLoss()
    {
        var net = SmoothNet(21);
        var x = TestData.GaussianInputs(16, 6, 22);
        var y = TestData.GaussianInputs(16, 4, 23);
        net.LearningRate = 1e-3;
        var theta = net.GetParameters();
        double before = net.TrainStep(x, y, MlpLoss.HalfSquaredError);
        var g = net.GetGradient();
        var after = net.GetParameters();
        for (int k = 0; k < theta.Length; k++) Assert.Equal(theta[k] - 1e-3 * g[k], after[k], 14);
        double gg = g.Sum(v => v * v);
        // First order: the loss drops by eta ||g||^2 up to O(eta^2).
        Assert.InRange(before - net.Loss(x, y, MlpLoss.HalfSquaredError), 0.9e-3 * gg, 1.1e-3 * gg);
    }

    [Theory]
    [InlineData(40, 120)]
    [InlineData(120, 40)]
    public void Orthogonal_HasOrthogonalRowsOrColumns(int fanIn, int fanOut)
    {
        var net = ReferenceMlp.Uniform(new[] { fanIn, fanOut }, Activation.Identity, MlpInitialization.Orthogonal(2), 1);
        var w = Matrix<double>.Build.Dense(fanOut, fanIn, (o, i) => net.GetParameters()[o * fanIn + i]);
        var gram = fanOut >= fanIn ? w.TransposeThisAndMultiply(w) : w.TransposeAndMultiply(w);
        var expected = Matrix<double>.Build.DenseIdentity(gram.RowCount) * 2;
        Assert.True((gram - expected).InfinityNorm() < 1e-12);
    }

    [Fact]
    public void Initialisations_HaveTheStatedVariances()
    {
        // 400 x 400 weights: 160,000 entries, relative standard error of a sample variance sqrt(2/n) ~ 3.5e-3 (Gaussian)
        // and sqrt(0.8/n) ~ 2.2e-3 (uniform); tolerance 2% is > 5 standard errors.
        var gauss = ReferenceMlp.Uniform(new[] { 400, 400 }, Activation.Identity, MlpInitialization.Gaussian(2, 0.5), 1).GetParameters();
        Assert.InRange(gauss.Take(160000).Select(v => v * v).Average() * 400, 2 * 0.98, 2 * 1.02);
        var bias = gauss.Skip(160000).ToArray();
        Assert.InRange(bias.Select(v => v * v).Average(), 0.5 * 0.8, 0.5 * 1.2); // 400 draws: sd sqrt(2/400) = 7%
        var torch = ReferenceMlp.Uniform(new[] { 400, 400 }, Activation.Identity, MlpInitialization.TorchSharpDefault, 2).GetParameters();
        Assert.All(torch, v => Assert.InRange(v, -0.05, 0.05));
        Assert.InRange(torch.Take(160000).Select(v => v * v).Average() * 400, 1 / 3.0 * 0.98, 1 / 3.0 * 1.02);
    }

    [Fact]
    public void FromArchitecture_UsesTheEngineLayers()
    {
        var arch = NetworkArchitecture.Uniform(new[] { 5, 7, 3 }, Activation.Tanh, 1.7, 0.2, WeightDistribution.Orthogonal, Activation.Identity);
        var net = ReferenceMlp.FromArchitecture(arch, 3);
        Assert.Equal(new[] { 5, 7, 3 }, net.Widths);
        Assert.Equal(Activation.Identity, net.Activations[1]);
        Assert.Equal(5 * 7 + 7 + 7 * 3 + 3, net.ParameterCount);
    }
}
