using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Diagnostics.Runtime.TorchSharp.Tests;

/// <summary>The adapter against the exact reference MLP with the same weights, in float64 on the CPU.</summary>
public class TorchSharpModelTests
{
    private static readonly int[] Widths = { 6, 10, 8, 3 };

    private static (ReferenceMlp Reference, nn.Module<Tensor, Tensor> Module, optim.Optimizer Optimizer, double[][] Probes) Pair(int seed)
    {
        var reference = ReferenceMlp.Uniform(Widths, Activation.Tanh, MlpInitialization.Gaussian(1.5, 0.1), seed, Activation.Identity);
        var theta = reference.GetParameters();
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int k = 0;
        for (int l = 0; l < Widths.Length - 1; l++)
        {
            int fanIn = Widths[l], fanOut = Widths[l + 1];
            var linear = nn.Linear(fanIn, fanOut, hasBias: true, dtype: ScalarType.Float64);
            using (no_grad())
            {
                linear.weight!.copy_(tensor(theta.Skip(k).Take(fanIn * fanOut).ToArray(), dtype: ScalarType.Float64).reshape(fanOut, fanIn));
                k += fanIn * fanOut;
                linear.bias!.copy_(tensor(theta.Skip(k).Take(fanOut).ToArray(), dtype: ScalarType.Float64));
                k += fanOut;
            }

            modules.Add(("linear" + l, linear));
            if (l < Widths.Length - 2) modules.Add(("tanh" + l, nn.Tanh()));
        }

        var module = nn.Sequential(modules.ToArray());
        var optimizer = optim.SGD(module.parameters(), 0.05);
        var random = new Random(seed + 1);
        var probes = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, Widths[0]).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
        reference.SetProbes(probes);
        return (reference, module, optimizer, probes);
    }

    private static Tensor Batch(double[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), dtype: ScalarType.Float64).reshape(rows.Length, rows[0].Length);

    private static double MaxRelativeError(double[] actual, double[] expected) =>
        actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / Math.Max(expected.Max(Math.Abs), 1e-300);

    [Fact]
    public void Products_MatchTheReferenceMlp()
    {
        var (reference, module, optimizer, probes) = Pair(1);
        using var model = new TorchSharpModel(module, optimizer, Batch(probes));
        Assert.Equal(3, model.ProbeCount);
        Assert.Equal(6, model.InputSize);
        Assert.Equal(3, model.OutputSize);
        var random = new Random(2);
        var v = Enumerable.Range(0, 18).Select(_ => random.NextDouble() - 0.5).ToArray();
        var u = Enumerable.Range(0, 9).Select(_ => random.NextDouble() - 0.5).ToArray();

        // float64 on both sides: only round-off differs.
        Assert.True(MaxRelativeError(model.Outputs(), reference.Outputs()) < 1e-12);
        Assert.True(MaxRelativeError(model.InputVjp(u), reference.InputVjp(u)) < 1e-12);
        Assert.True(MaxRelativeError(model.InputJvp(v), reference.InputJvp(v)) < 1e-12);
        Assert.True(MaxRelativeError(model.ParameterGramProduct(u), reference.ParameterGramProduct(u)) < 1e-12);

        // Finite-difference JVP: step cbrt(eps) ~ 6e-6, error O(h^2) ~ 1e-10 relative.
        model.Jvp = JvpMethod.FiniteDifference;
        Assert.True(MaxRelativeError(model.InputJvp(v), reference.InputJvp(v)) < 1e-8);
        Assert.True(model.CompareJvpMethods() < 1e-8);
    }

    [Fact]
    public void Estimators_AgreeOnBothModels()
    {
        var (reference, module, optimizer, probes) = Pair(3);
        using var model = new TorchSharpModel(module, optimizer, Batch(probes));
        var a = new SpectralNormEstimator().Estimate(model);
        var b = new SpectralNormEstimator().Estimate(reference);
        Assert.True(Math.Abs(a.Value - b.Value) < 1e-6 * b.Value, $"{a} vs {b}");
        var c = new FisherMaxEigenvalueEstimator { Tolerance = 1e-8 }.Estimate(model);
        var d = new FisherMaxEigenvalueEstimator { Tolerance = 1e-8 }.Estimate(reference);
        Assert.True(Math.Abs(c.Value - d.Value) < 1e-6 * d.Value, $"{c} vs {d}");
    }

    [Fact]
    public void LearningRate_IsReadAndWrittenThroughParamGroups()
    {
        var (_, module, optimizer, probes) = Pair(4);
        using var model = new TorchSharpModel(module, optimizer, Batch(probes));
        Assert.Equal(0.05, model.LearningRate, 15);
        model.LearningRate = 0.01;
        Assert.Equal(0.01, optimizer.ParamGroups.First().LearningRate, 15);
    }

    [Fact]
    public void Products_LeaveGradientsAndTrainingModeUntouched_AndGradientNormsMatch()
    {
        var (reference, module, optimizer, probes) = Pair(5);
        var targets = probes.Select(p => new[] { p[0], p[1] * 0.5, -p[2] }).ToArray();
        module.train();
        optimizer.zero_grad();
        var y = module.call(Batch(probes));
        var loss = (y - Batch(targets)).pow(2).sum() * (0.5 / probes.Length); // the reference's half-MSE
        loss.backward();
        var before = module.parameters().Select(p => p.grad!.clone()).ToArray();

        using var model = new TorchSharpModel(module, optimizer, Batch(probes));
        model.InputJvp(new double[18]);
        model.ParameterGramProduct(Enumerable.Repeat(1.0, 9).ToArray());
        Assert.True(module.training);
        var after = module.parameters().Select(p => p.grad!).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.True(before[i].equal(after[i]).item<bool>());

        reference.ComputeGradients(probes, targets, MlpLoss.HalfSquaredError);
        var expected = reference.GradientNorms();
        var actual = model.GradientNorms();
        Assert.Equal(expected.Count, actual.Count);
        for (int l = 0; l < expected.Count; l++) Assert.Equal(expected[l].Norm, actual[l].Norm, 10);
    }
}
