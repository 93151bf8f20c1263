using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Microsoft.CodeAnalysis;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>FPT002: vanishing Jacobian spectrum.</summary>
public sealed class VanishingJacobianSpectrumTests
{
    private static string DeepReluOnDefaults(string usings = Sources.Usings) => usings + $$"""

        public static class Models
        {
            public static Module<Tensor, Tensor> Build()
            {
                var model = [|Sequential|]({{Sources.Layers(12, 256, "ReLU()")}});
                return model;
            }
        }
        """;

    /// <summary>
    /// Expected arguments from TorchSharp's documented default (kaiming_uniform_(a = sqrt 5): sigma_w^2 = 1/3; bias
    /// U(+-1/sqrt 256): variance 1/768), built by hand; the critical variance of ReLU is the closed form 2.
    /// </summary>
    private static object[] ExpectedArguments()
    {
        var law = Sources.Law(Sources.Square(12, 256, Activation.Relu, 1.0 / 3, 1.0 / 768));
        return new object[] { Sources.N(law.QuantileNonZero(0.9)), 12, $"relu with bias variance {Sources.N(1.0 / 768)}", "2", "0.333" };
    }

    [Fact]
    public async Task DefaultInitDeepReluMlp_ReportsVanishing()
    {
        var run = await VerifyAsync(DeepReluOnDefaults(), expected: new Expected("FPT002", Arguments: ExpectedArguments(), Severity: DiagnosticSeverity.Warning));
        var q90 = double.Parse(Single(run, "FPT002").Properties["q90"]!, System.Globalization.CultureInfo.InvariantCulture);
        // Mean of the law is prod chi_l = (1/6)^12 (ReLU: chi = sigma_w^2 / 2 whatever q); the 90% quantile sits far below 1e-2.
        Assert.True(q90 < 1e-2 && q90 > 0, $"q90 = {q90}");
    }

    [Fact]
    public async Task DefaultInitDeepReluMlp_LooseFileWithoutReferences_ReportsVanishing()
    {
        // Syntax fallback: no TorchSharp reference, the names and the TorchSharp usings key the reading.
        await VerifyAsync(DeepReluOnDefaults(), torchSharp: false, expected: new Expected("FPT002", Arguments: ExpectedArguments()));
    }

    [Fact]
    public async Task CriticalInit_NoDiagnostic()
    {
        var source = Sources.Usings + $$"""

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = Sequential({{Sources.Layers(12, 256, "ReLU()")}});
                    using (torch.no_grad())
                    {
                        foreach (var (name, p) in model.named_parameters())
                        {
                            if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
                            else init.zeros_(p);
                        }
                    }

                    return model;
                }
            }
            """;
        await VerifyAsync(source);
        await VerifyAsync(source, torchSharp: false);
    }

    [Fact]
    public async Task ThresholdFromEditorConfig_NoDiagnostic()
    {
        await VerifyAsync(DeepReluOnDefaults(), editorConfig: "fpt_vanishing_quantile_threshold = 1e-30");
    }

    [Fact]
    public async Task SeverityNoneInEditorConfig_NoDiagnostic()
    {
        await VerifyAsync(DeepReluOnDefaults(), editorConfig: "dotnet_diagnostic.FPT002.severity = none");
    }

    [Fact]
    public async Task SeverityErrorInEditorConfig_ReportsError()
    {
        await VerifyAsync(DeepReluOnDefaults(), editorConfig: "dotnet_diagnostic.FPT002.severity = error",
            expected: new Expected("FPT002", Severity: DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task DefaultInitDeepTanh_ReportsEngineCriticalVariance()
    {
        var source = Sources.Usings + $$"""

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = [|Sequential|]({{Sources.Layers(6, 32, "Tanh()")}});
                    return model;
                }
            }
            """;
        // Critical sigma_w^2 of tanh at TorchSharp's default bias variance 1/(3 * 32): the engine's order-to-chaos value
        // (chi(q*) = 1), slightly above 1 because of the bias; not a table entry.
        double critical = Diagnostics.Spectra.MeanField.CriticalGain.AtFixedPoint(Activation.Tanh, 1.0 / 96);
        Assert.InRange(critical, 1.0, 1.5);
        var law = Sources.Law(new NetworkArchitecture(Enumerable.Repeat(32, 7).ToArray(),
            Enumerable.Range(0, 6).Select(_ => new Layer(Activation.Tanh, 1.0 / 3, 1.0 / 96)).ToArray())); // Sources.Layers puts Tanh after every Linear
        await VerifyAsync(source, expected: new Expected("FPT002", Arguments: new object[]
        {
            Sources.N(law.QuantileNonZero(0.9)), 6, $"tanh with bias variance {Sources.N(1.0 / 96)}", Sources.N(critical), "0.333",
        }));
    }

    [Fact]
    public async Task DefaultInitTanhWithWiderInput_QuotesTheBiasVarianceOfMostTanhLayers()
    {
        // Bias variance 1/(3 fan_in): 1/192 for the first layer (fan-in 64), 1/96 for the five after it. The advice is for
        // the bias variance of most tanh layers, 1/96 (critical 1.43), not the first layer's 1/192 (critical 1.34).
        var source = Sources.Usings + $$"""

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = [|Sequential|](Linear(64, 32), Tanh(), {{Sources.Layers(5, 32, "Tanh()")}}, Linear(32, 10));
                    return model;
                }
            }
            """;
        var widths = new[] { 64, 32, 32, 32, 32, 32, 32, 10 };
        var layers = Enumerable.Range(0, 7).Select(l => new Layer(l < 6 ? Activation.Tanh : Activation.Identity, 1.0 / 3, l == 0 ? 1.0 / 192 : 1.0 / 96)).ToArray();
        var law = Sources.Law(new NetworkArchitecture(widths, layers));
        double critical = Diagnostics.Spectra.MeanField.CriticalGain.AtFixedPoint(Activation.Tanh, 1.0 / 96);
        Assert.NotEqual(Sources.N(critical), Sources.N(Diagnostics.Spectra.MeanField.CriticalGain.AtFixedPoint(Activation.Tanh, 1.0 / 192)));
        await VerifyAsync(source, expected: new Expected("FPT002", Arguments: new object[]
        {
            Sources.N(law.QuantileNonZero(0.9)), 7, $"tanh with bias variance {Sources.N(1.0 / 96)} (5 of the 6 hidden tanh layers)", Sources.N(critical), "0.333",
        }));
    }

    [Fact]
    public async Task FirstLayerWithBiasThenTanhLayersWithout_QuotesNoBias()
    {
        // Only the first Linear has a bias (variance 1/96): the advice is for the four tanh layers without one.
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = [|Sequential|](
                        Linear(32, 32), Tanh(),
                        Linear(32, 32, hasBias: false), Tanh(),
                        Linear(32, 32, hasBias: false), Tanh(),
                        Linear(32, 32, hasBias: false), Tanh(),
                        Linear(32, 32, hasBias: false), Tanh(),
                        Linear(32, 10, hasBias: false));
                    return model;
                }
            }
            """;
        var widths = new[] { 32, 32, 32, 32, 32, 32, 10 };
        var layers = Enumerable.Range(0, 6).Select(l => new Layer(l < 5 ? Activation.Tanh : Activation.Identity, 1.0 / 3, l == 0 ? 1.0 / 96 : 0)).ToArray();
        var law = Sources.Law(new NetworkArchitecture(widths, layers));
        double critical = Diagnostics.Spectra.MeanField.CriticalGain.AtFixedPoint(Activation.Tanh, 0);
        await VerifyAsync(source, expected: new Expected("FPT002", Arguments: new object[]
        {
            Sources.N(law.QuantileNonZero(0.9)), 6, "tanh with bias variance 0 (4 of the 5 hidden tanh layers)", Sources.N(critical), "0.333",
        }));
    }

    [Fact]
    public async Task UserMethodsNamedLikeTorchSharp_WithTorchSharpReferenced_NoDiagnostic()
    {
        // The semantic path decides: these Linear/ReLU/Sequential are the user's, not TorchSharp's.
        var source = """
            using TorchSharp;

            public static class Layers
            {
                public static object Linear(long a, long b) => new object();
                public static object ReLU() => new object();
                public static object Sequential(params object[] modules) => modules;
                public static object Build() => Sequential(Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256));
            }
            """;
        var run = await RunAsync(source, torchSharp: true);
        Assert.Empty(run.CompilerErrors);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public async Task TorchSharpNotReferenced_NoDiagnostic()
    {
        var source = """
            public static class Layers
            {
                public static object Linear(long a, long b) => new object();
                public static object ReLU() => new object();
                public static object Sequential(params object[] modules) => modules;
                public static object Build() => Sequential(Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256));
            }
            """;
        var run = await RunAsync(source, torchSharp: false);
        Assert.Empty(run.Diagnostics);
    }
}
