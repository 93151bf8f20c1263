using Diagnostics.Analyzers.Tests.Harness;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>FPT004: the spectrum summary on the model declaration.</summary>
public sealed class JacobianSpectrumSummaryTests
{
    private static readonly string[] Summary = { "FPT004" };

    [Fact]
    public async Task DefaultInitReluMlp_SummaryHasClosedFormChi()
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var mlp = [|torch.nn.Sequential|](Flatten(), Linear(784, 256), ReLU(), Dropout(0.2), Linear(256, 256), ReLU(), Linear(256, 10));
                    return mlp;
                }
            }
            """;
        var run = await VerifyAsync(source, rules: Summary, expected: new Expected("FPT004"));
        var message = Single(run, "FPT004").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        // ReLU layers: chi = sigma_w^2 E[phi'^2] = (1/3)(1/2) = 1/6; the last (linear) layer: chi = 1/3.
        Assert.Contains("of mlp: depth 3, widths 784, 256, 256, 10, chi per layer 0.167, 0.167, 0.333", message);
        Assert.Contains("Dropout is the identity at evaluation", message);
        // 10 outputs from 784 inputs: rank 10, atom at zero 1 - 10/784.
        Assert.Contains($"atom at zero {Sources.N(1 - 10.0 / 784)}", message);
    }

    [Fact]
    public async Task OptimizerLinkedToModel_AppearsInSummary()
    {
        var source = Sources.Usings + """

            public static class Training
            {
                private const double Rate = 0.05;

                public static void Run()
                {
                    var model = [|Sequential|](Linear(100, 100), ReLU(), Linear(100, 10));
                    var sgd = torch.optim.SGD(model.parameters(), Rate * 2);
                    var adam = torch.optim.Adam(model.parameters());
                    var rms = torch.optim.RMSProp(model.parameters(), lr: 3e-4);
                }
            }
            """;
        var run = await VerifyAsync(source, rules: Summary, expected: new Expected("FPT004"));
        var message = Single(run, "FPT004").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("optimizer SGD with learning rate 0.1", message);
        Assert.Contains("optimizer Adam with learning rate 0.001", message); // Adam's default lr = 1e-3 (Adam.cs)
        Assert.Contains("optimizer RMSProp with learning rate 3e-4", message);
    }

    [Fact]
    public async Task TorchSharpNotReferenced_NoDiagnostic()
    {
        var run = await RunAsync("public static class C { public static int Sequential(params int[] x) => x.Length; public static int M() => Sequential(1, 2); }", torchSharp: false);
        Assert.Empty(run.Diagnostics);
    }
}
