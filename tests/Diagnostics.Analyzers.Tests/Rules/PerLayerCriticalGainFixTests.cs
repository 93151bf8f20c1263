using System.Globalization;
using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.CodeFixHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>
/// The critical-gain fix on models that mix activations: each Linear gets the init with chi = 1 for the activation
/// that follows it and its own bias variance (kaiming_normal_ for ReLU / leaky ReLU / identity, normal_ with the
/// engine's CriticalGain.AtFixedPoint for smooth ones). Before/after, FixAll, idempotence, and chi = 1 per layer of the
/// fixed model read back by the extractor.
/// </summary>
public sealed class PerLayerCriticalGainFixTests
{
    private static string C(Activation phi, double biasVariance) =>
        CriticalGain.AtFixedPoint(phi, biasVariance).ToString("0.0#####", CultureInfo.InvariantCulture);

    private static string Wrap(params string[] methods) => Sources.Usings + "\n\npublic static class Models\n{\n" + string.Join("\n\n", methods) + "\n}\n";

    /// <summary>Four tanh layers, four ReLU layers and a linear readout, width 64, TorchSharp's defaults.</summary>
    private static string TanhThenRelu(string name) => $$"""
            public static Module<Tensor, Tensor> {{name}}()
            {
                var model = Sequential({{Sources.Layers(4, 64, "Tanh()")}}, {{Sources.Layers(4, 64, "ReLU()")}}, Linear(64, 10));
                return model;
            }
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TanhThenRelu_EachLayerGetsItsOwnInit(bool torchSharp)
    {
        var before = Wrap(TanhThenRelu("Build"));
        var tanh = C(Activation.Tanh, 1.0 / (3 * 64)); // default bias variance 1/(3 fan_in)
        var after = before.Replace("        return model;\n", string.Join("\n",
            "",
            $"        // FPT002: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-4 tanh sigma_w^2 = {tanh}, layers 5-8 relu sigma_w^2 = 2, layer 9 identity sigma_w^2 = 1",
            "        var modelLayerIndex = 0;",
            "        foreach (var (parameterName, parameter) in model.named_parameters())",
            "        {",
            "            if (parameterName.EndsWith(\"weight\"))",
            "            {",
            "                switch (modelLayerIndex++)",
            "                {",
            "                    case 0: case 1: case 2: case 3:",
            $"                        torch.nn.init.normal_(parameter, 0.0, System.Math.Sqrt({tanh} / parameter.shape[1]));",
            "                        break;",
            "                    case 4: case 5: case 6: case 7:",
            "                        torch.nn.init.kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.ReLU);",
            "                        break;",
            "                    case 8:",
            "                        torch.nn.init.kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.Linear);",
            "                        break;",
            "                }",
            "            }",
            "        }",
            "        return model;",
            ""));
        Assert.NotEqual(before, after);
        await VerifyFixAsync(before, after, torchSharp);

        // Read back: sigma_w^2 per layer is tanh's critical value, 2, then 1.
        var net = (await Extract.SingleArchitectureAsync(after, torchSharp)).Network!;
        var expected = Enumerable.Repeat(double.Parse(tanh, CultureInfo.InvariantCulture), 4).Concat(Enumerable.Repeat(2.0, 4)).Append(1.0);
        Assert.Equal(expected, net.Layers.Select(l => l.WeightVariance), (a, b) => Math.Abs(a - b) <= 1e-12);
    }

    /// <remarks>
    /// A GELU layer then tanh layers of fan-in 128 and 256 (default biases, variance 1/(3 fan_in)).
    /// For tanh chi(q*) is continuous in sigma_w^2 and the written value gives chi = 1. For GELU (as for SiLU) with these
    /// small bias variances it is not: measured with the engine, chi(q*) jumps from 0.589 (q* = 0.001) to 1.175 (q grows
    /// without bound) at sigma_w^2 = 2.3507 (b = 1/2352), so no sigma_w^2 has chi(q*) = 1 and CriticalGain.AtFixedPoint
    /// returns the jump (the order-to-chaos boundary). The fix writes that value, as the single-activation fix does; the
    /// test checks the boundary property (chi below 1 just under it, above 1 just over it) instead of chi = 1.
    /// </remarks>
    [Fact]
    public async Task GeluThenTanh_DifferentFanIns_EngineValuePerLayer()
    {
        // Default biases have variance 1/(3 fan_in): the critical sigma_w^2 differs per layer even for one activation.
        // (One GELU layer: its critical value costs about 0.5 s of engine time in Release, several times that here.)
        var before = Wrap("""
                public static Module<Tensor, Tensor> Build()
                {
                    var model = Sequential(Linear(784, 128), GELU(), Linear(128, 256), Tanh(), Linear(256, 128), Tanh(),
                        Linear(128, 128), Tanh(), Linear(128, 10));
                    return model;
                }
            """);
        var fixedText = await ApplyFirstFixAsync(before);
        await AssertNoStabilityWarningAsync(new[] { fixedText }, torchSharp: true);
        var net = (await Extract.SingleArchitectureAsync(fixedText)).Network!;
        Assert.Equal(5, net.Depth);
        var critical = new Dictionary<(ActivationKind, double), double>(); // one engine call per distinct pair (GELU: ~1 s each)
        for (int l = 0; l < net.Depth; l++)
        {
            var layer = net.Layers[l];
            Assert.Equal(1.0 / (3 * net.Widths[l]), layer.BiasVariance, 1e-15);
            if (layer.Activation.Kind == ActivationKind.Identity)
            {
                Assert.Equal(1.0, layer.WeightVariance, 1e-12);
                continue;
            }

            // The written value is the engine's for this layer's activation and bias variance, rounded to 6 decimals
            // (|error| <= 5e-7).
            var key = (layer.Activation.Kind, layer.BiasVariance);
            if (!critical.TryGetValue(key, out var c)) critical[key] = c = CriticalGain.AtFixedPoint(layer.Activation, layer.BiasVariance);
            Assert.Equal(c, layer.WeightVariance, 5e-7);
            if (layer.Activation.Kind == ActivationKind.Tanh)
            {
                // chi at the layer's fixed point is 1 to about 1e-6 relative (rounding) plus the fixed-point tolerance.
                Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(layer.Activation, layer.WeightVariance, layer.BiasVariance), 1e-5);
            }
            else
            {
                // GELU: the order-to-chaos boundary; 1e-5 relative is 20x the rounding of the written value.
                Assert.True(CriticalGain.ChiAtFixedPoint(layer.Activation, layer.WeightVariance * (1 - 1e-5), layer.BiasVariance) < 1);
                Assert.True(CriticalGain.ChiAtFixedPoint(layer.Activation, layer.WeightVariance * (1 + 1e-5), layer.BiasVariance) > 1);
            }
        }

        // The tanh fan-ins 128 and 256 give different critical values (1.2638 vs 1.2488 or so): one value for all
        // would not be chi = 1 in every layer.
        Assert.NotEqual(net.Layers[1].WeightVariance, net.Layers[2].WeightVariance, 3);
        Assert.Equal(net.Layers[1].WeightVariance, net.Layers[3].WeightVariance, 12); // same activation and fan-in
        Assert.Contains("case 0:", fixedText);
        Assert.Contains("case 4:", fixedText);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModuleWithLinearFields_OneStatementPerField(bool torchSharp)
    {
        var before = Sources.Usings + """

            public sealed class Mixed : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(128, 128), fc2 = Linear(128, 128), fc3 = Linear(128, 128), fc4 = Linear(128, 128), fc5 = Linear(128, 128), fc6 = Linear(128, 10);

                public Mixed() : base(nameof(Mixed))
                {
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    x = torch.tanh(fc1.forward(x));
                    x = torch.tanh(fc2.forward(x));
                    x = torch.tanh(fc3.forward(x));
                    x = torch.tanh(fc4.forward(x));
                    x = functional.leaky_relu(fc5.forward(x), 0.2);
                    return fc6.forward(x);
                }
            }
            """;
        var tanh = C(Activation.Tanh, 1.0 / (3 * 128));
        var leaky = (2 / (1 + 0.2 * 0.2)).ToString("0.0#####", CultureInfo.InvariantCulture);
        var after = before.Replace("        RegisterComponents();\n", string.Join("\n",
            "        RegisterComponents();",
            "",
            $"        // FPT002: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-4 tanh sigma_w^2 = {tanh}, layer 5 leaky_relu(0.2) sigma_w^2 = {leaky}, layer 6 identity sigma_w^2 = 1",
            $"        torch.nn.init.normal_(fc1.weight!, 0.0, System.Math.Sqrt({tanh} / 128));",
            $"        torch.nn.init.normal_(fc2.weight!, 0.0, System.Math.Sqrt({tanh} / 128));",
            $"        torch.nn.init.normal_(fc3.weight!, 0.0, System.Math.Sqrt({tanh} / 128));",
            $"        torch.nn.init.normal_(fc4.weight!, 0.0, System.Math.Sqrt({tanh} / 128));",
            "        torch.nn.init.kaiming_normal_(fc5.weight!, a: 0.2, nonlinearity: torch.nn.init.NonlinearityType.LeakyReLU);",
            "        torch.nn.init.kaiming_normal_(fc6.weight!, nonlinearity: torch.nn.init.NonlinearityType.Linear);",
            ""));
        Assert.NotEqual(before, after);
        await VerifyFixAsync(before, after, torchSharp);
        var net = (await Extract.SingleArchitectureAsync(after, torchSharp)).Network!;
        Assert.Equal(2 / 1.04, net.Layers[4].WeightVariance, 1e-12);
        Assert.Equal(1.0, net.Layers[5].WeightVariance, 1e-12);
    }

    /// <summary>A module whose ten Linear layers live in a collection field filled by a constant loop: five tanh, then five relu.</summary>
    private static string MixedCollection(string field, string fill, string name = "Deep") => Sources.Usings + $$"""

        public sealed class {{name}} : Module<Tensor, Tensor>
        {
            {{field}}

            public {{name}}() : base(nameof({{name}}))
            {
                {{fill}}
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
                for (int i = 0; i < {{(field.Contains("[]") ? "layers.Length" : "layers.Count")}}; i++)
                {
                    x = layers[i].forward(x);
                    if (i < 5) x = x.tanh(); else x = x.relu();
                }

                return x;
            }
        }
        """;

    public static TheoryData<string, string, bool> Collections => new()
    {
        { "private readonly ModuleList<Linear> layers = new ModuleList<Linear>();", "for (int i = 0; i < 10; i++) layers.Add(Linear(64, 64));", true },
        { "private readonly ModuleList<Linear> layers = new ModuleList<Linear>();", "for (int i = 0; i < 10; i++) layers.Add(Linear(64, 64));", false },
        { "private readonly List<Linear> layers = new List<Linear>();", "for (int i = 0; i < 10; i++) layers.Add(Linear(64, 64));", true },
        { "private readonly Linear[] layers = new Linear[] { " + string.Join(", ", Enumerable.Repeat("Linear(64, 64)", 10)) + " };", "", true },
    };

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task MixedCollection_OneInitPerElement(string field, string fill, bool torchSharp)
    {
        var before = MixedCollection(field, fill);
        var tanh = C(Activation.Tanh, 1.0 / (3 * 64));
        var after = before.Replace("        RegisterComponents();\n", string.Join("\n", new[]
        {
            "        RegisterComponents();",
            "",
            $"        // FPT002: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-5 tanh sigma_w^2 = {tanh}, layers 6-10 relu sigma_w^2 = 2",
        }.Concat(Enumerable.Range(0, 5).Select(k => $"        torch.nn.init.normal_(layers[{k}].weight!, 0.0, System.Math.Sqrt({tanh} / 64));"))
         .Concat(Enumerable.Range(5, 5).Select(k => $"        torch.nn.init.kaiming_normal_(layers[{k}].weight!, nonlinearity: torch.nn.init.NonlinearityType.ReLU);"))
         .Append("")));
        Assert.NotEqual(before, after);
        await VerifyFixAsync(before, after, torchSharp); // compiles, no FPT001/FPT002/FPT005 any more

        // Read back: chi = 1 in every layer, with the engine's critical value for tanh.
        var net = (await Extract.SingleArchitectureAsync(after, torchSharp)).Network!;
        var expected = Enumerable.Repeat(double.Parse(tanh, CultureInfo.InvariantCulture), 5).Concat(Enumerable.Repeat(2.0, 5));
        Assert.Equal(expected, net.Layers.Select(l => l.WeightVariance), (a, b) => Math.Abs(a - b) <= 1e-12);
        Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(Activation.Tanh, net.Layers[0].WeightVariance, net.Layers[0].BiasVariance), 1e-5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MixedModuleListOfModules_ElementsCastToLinear(bool torchSharp)
    {
        // ModuleList<Module<Tensor, Tensor>>: an element has no weight until it is cast to Linear.
        var before = MixedCollection("private readonly ModuleList<Module<Tensor, Tensor>> layers = new ModuleList<Module<Tensor, Tensor>>();",
            "for (int i = 0; i < 10; i++) layers.Add(Linear(64, 64));");
        var tanh = C(Activation.Tanh, 1.0 / (3 * 64));
        var after = before.Replace("        RegisterComponents();\n", string.Join("\n", new[]
        {
            "        RegisterComponents();",
            "",
            $"        // FPT002: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-5 tanh sigma_w^2 = {tanh}, layers 6-10 relu sigma_w^2 = 2",
        }.Concat(Enumerable.Range(0, 5).Select(k => $"        torch.nn.init.normal_(((TorchSharp.Modules.Linear)layers[{k}]).weight!, 0.0, System.Math.Sqrt({tanh} / 64));"))
         .Concat(Enumerable.Range(5, 5).Select(k => $"        torch.nn.init.kaiming_normal_(((TorchSharp.Modules.Linear)layers[{k}]).weight!, nonlinearity: torch.nn.init.NonlinearityType.ReLU);"))
         .Append("")));
        await VerifyFixAsync(before, after, torchSharp);
        var net = (await Extract.SingleArchitectureAsync(after, torchSharp)).Network!;
        var expected = Enumerable.Repeat(double.Parse(tanh, CultureInfo.InvariantCulture), 5).Concat(Enumerable.Repeat(2.0, 5));
        Assert.Equal(expected, net.Layers.Select(l => l.WeightVariance), (a, b) => Math.Abs(a - b) <= 1e-12);
    }

    [Theory]
    [InlineData("ModuleList<Linear>", "var", true)]
    [InlineData("ModuleList<Linear>", "var", false)]
    [InlineData("ModuleList<Module<Tensor, Tensor>>", "TorchSharp.Modules.Linear", true)] // foreach casts each element to Linear
    [InlineData("ModuleList<Module<Tensor, Tensor>>", "TorchSharp.Modules.Linear", false)]
    public async Task ModuleListNextToLinearField_LoopOverCollectionThenField(string collectionType, string loopType, bool torchSharp)
    {
        // Ten tanh layers of one width share one critical value: one loop over the collection; the readout field gets its own.
        var before = Sources.Usings + """

            public sealed class Encoder : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();
                private readonly Linear head;

                public Encoder() : base(nameof(Encoder))
                {
                    for (int i = 0; i < 10; i++)
                    {
                        layers.Add(Linear(128, 128));
                    }

                    head = Linear(128, 10);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    foreach (var layer in layers) x = torch.tanh(layer.forward(x));
                    return head.forward(x);
                }
            }
            """.Replace("ModuleList<Linear>", collectionType);
        var tanh = C(Activation.Tanh, 1.0 / (3 * 128));
        var after = before.Replace("        RegisterComponents();\n", string.Join("\n",
            "        RegisterComponents();",
            "",
            $"        // FPT002: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-10 tanh sigma_w^2 = {tanh}, layer 11 identity sigma_w^2 = 1",
            $"        foreach ({loopType} layer in layers) torch.nn.init.normal_(layer.weight!, 0.0, System.Math.Sqrt({tanh} / 128));",
            "        torch.nn.init.kaiming_normal_(head.weight!, nonlinearity: torch.nn.init.NonlinearityType.Linear);",
            ""));
        Assert.NotEqual(before, after);
        await VerifyFixAsync(before, after, torchSharp);
        var net = (await Extract.SingleArchitectureAsync(after, torchSharp)).Network!;
        Assert.All(net.Layers.Take(10), l => Assert.Equal(double.Parse(tanh, CultureInfo.InvariantCulture), l.WeightVariance, 1e-12));
        Assert.Equal(1.0, net.Layers[10].WeightVariance, 1e-12);
    }

    [Fact]
    public async Task FixAll_TwoCollectionModules_ThenIdempotent()
    {
        const string field = "private readonly ModuleList<Linear> layers = new ModuleList<Linear>();";
        const string fill = "for (int i = 0; i < 10; i++) layers.Add(Linear(64, 64));";
        var sources = new[] { MixedCollection(field, fill, "First"), MixedCollection(field, fill, "Second") };
        var texts = await FixAllAsync(sources, FixAllScope.Solution);
        Assert.All(texts, t => Assert.Contains("torch.nn.init.kaiming_normal_(layers[9].weight!", t));
        await AssertNoStabilityWarningAsync(texts, torchSharp: true);
        Assert.DoesNotContain(await DiagnosticsAsync(texts, torchSharp: true), d => d.Id == "FPT001" || d.Id == "FPT002");
        foreach (var text in texts) Assert.Equal(0, await CountOfferedFixesAsync(text));
    }

    [Fact]
    public async Task FixAll_TwoMixedModelsInOneMethod_TwoCounters()
    {
        var source = Wrap($$"""
                public static (Module<Tensor, Tensor>, Module<Tensor, Tensor>) Build()
                {
                    var encoder = Sequential({{Sources.Layers(4, 32, "Tanh()")}}, {{Sources.Layers(4, 32, "ReLU()")}}, Linear(32, 8));
                    var decoder = Sequential({{Sources.Layers(4, 32, "ReLU()")}}, {{Sources.Layers(4, 32, "Tanh()")}}, Linear(32, 8));
                    return (encoder, decoder);
                }
            """);
        var texts = await FixAllAsync(new[] { source }, FixAllScope.Document);
        Assert.Contains("var encoderLayerIndex = 0;", texts[0]);
        Assert.Contains("var decoderLayerIndex = 0;", texts[0]);
        await AssertNoStabilityWarningAsync(texts, torchSharp: true); // compiles against the stub, no FPT001/FPT002
    }

    [Fact]
    public async Task FixAll_MixedModels_ThenIdempotent()
    {
        var sources = new[] { Wrap(TanhThenRelu("First"), TanhThenRelu("Second")) };
        var texts = await FixAllAsync(sources, FixAllScope.Document);
        Assert.Equal(2, texts[0].Split("// FPT002: each layer at the critical variance").Length - 1);
        await AssertNoStabilityWarningAsync(texts, torchSharp: true);

        // A second pass has nothing to fix: no FPT001/FPT002 left, so no fix is offered and FixAll has no action.
        Assert.DoesNotContain(await DiagnosticsAsync(texts, torchSharp: true), d => d.Id == "FPT001" || d.Id == "FPT002");
        Assert.Equal(0, await CountOfferedFixesAsync(texts[0]));
    }
}
