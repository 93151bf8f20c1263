using System.Globalization;
using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.CodeFixHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>The "set the critical gain" fix of FPT001/FPT002: before/after, idempotence, FixAll.</summary>
public sealed class CriticalGainFixerTests
{
    private static string ReluModel(string name, int depth = 12) => $$"""
            public static Module<Tensor, Tensor> {{name}}()
            {
                // twelve layers on TorchSharp's defaults
                var model = Sequential({{Sources.Layers(depth, 256, "ReLU()")}});
                return model; // trailing comment
            }
        """;

    private static string Wrap(params string[] methods) => Sources.Usings + "\n\npublic static class Models\n{\n" + string.Join("\n\n", methods) + "\n}\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DefaultInitDeepRelu_FixInsertsKaimingLoop(bool torchSharp)
    {
        var before = Wrap(ReluModel("Build"));
        var after = before.Replace(
            "        return model; // trailing comment",
            """

                    // FPT002: sigma_w^2 = 2 gives chi = 1 per relu layer
                    foreach (var (parameterName, parameter) in model.named_parameters())
                    {
                        if (parameterName.EndsWith("weight")) torch.nn.init.kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.ReLU);
                    }
                    return model; // trailing comment
            """);
        await VerifyFixAsync(before, after, torchSharp);
    }

    [Fact]
    public async Task DefaultInitTanh_FixWritesEngineCriticalVariance()
    {
        var before = Wrap($$"""
                public static Module<Tensor, Tensor> Build()
                {
                    var model = Sequential({{Sources.Layers(6, 32, "Tanh()")}});
                    return model;
                }
            """);
        // The critical sigma_w^2 of tanh with TorchSharp's default bias variance 1/(3 * 32), from the engine.
        var critical = CriticalGain.AtFixedPoint(Activation.Tanh, 1.0 / 96).ToString("0.0#####", CultureInfo.InvariantCulture);
        var fixedText = await ApplyFirstFixAsync(before);
        Assert.Contains($"torch.nn.init.normal_(parameter, 0.0, System.Math.Sqrt({critical} / parameter.shape[1]));", fixedText);
        await AssertNoStabilityWarningAsync(new[] { fixedText }, torchSharp: true);

        // Every layer of the fixed model gets sigma_w^2 = critical (std^2 fan_in), whatever its fan-in.
        var net = (await Extract.SingleArchitectureAsync(fixedText)).Network!;
        Assert.All(net.Layers, l => Assert.Equal(double.Parse(critical, CultureInfo.InvariantCulture), l.WeightVariance, 1e-12));
    }

    [Fact]
    public async Task ExplodingModule_FixAfterRegisterComponents()
    {
        var before = Sources.Usings + """

            public sealed class WideNet : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> layers;

                public WideNet() : base(nameof(WideNet))
                {
                    layers = Sequential(Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128), ReLU(),
                        Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128));
                    RegisterComponents();
                    foreach (var p in parameters()) init.normal_(p, 0.0, 0.2); // sigma_w^2 = 0.04 * 128
                }

                public override Tensor forward(Tensor x) => layers.forward(x);
            }
            """;
        const string existing = "        foreach (var p in parameters()) init.normal_(p, 0.0, 0.2); // sigma_w^2 = 0.04 * 128\n";
        Assert.Contains(existing, before);
        // Eight ReLU layers and an identity readout: each gets its own kaiming init, addressed by position among the
        // weights of the Sequential field (Sequential registers its modules in order).
        var after = before.Replace(existing, existing + string.Join("\n",
            "",
            "        // FPT001: each layer at the critical variance of its activation (chi = 1 per layer), per layer: layers 1-8 relu sigma_w^2 = 2, layer 9 identity sigma_w^2 = 1",
            "        var layersLayerIndex = 0;",
            "        foreach (var (parameterName, parameter) in layers.named_parameters())",
            "        {",
            "            if (parameterName.EndsWith(\"weight\"))",
            "            {",
            "                switch (layersLayerIndex++)",
            "                {",
            "                    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:",
            "                        torch.nn.init.kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.ReLU);",
            "                        break;",
            "                    case 8:",
            "                        torch.nn.init.kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.Linear);",
            "                        break;",
            "                }",
            "            }",
            "        }",
            ""));
        // The existing loop runs after RegisterComponents: the fix goes after it, or it would be overwritten.
        await VerifyFixAsync(before, after);
    }

    [Fact]
    public async Task ModelWithoutVariable_NoFixOffered()
    {
        var source = Sources.Usings + $$"""

            public static class Models
            {
                public static Module<Tensor, Tensor> Build() => Sequential({{Sources.Layers(12, 64, "ReLU()")}});
            }
            """;
        Assert.Equal(0, await CountOfferedFixesAsync(source));
    }

    [Fact]
    public async Task FixAllInDocument_FixesEveryModel()
    {
        var texts = await FixAllAsync(new[] { Wrap(ReluModel("First"), ReluModel("Second")) }, FixAllScope.Document);
        Assert.Equal(2, CountOf(texts[0], "// FPT002: sigma_w^2 = 2"));
        await AssertNoStabilityWarningAsync(texts, torchSharp: true);
    }

    [Theory]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task FixAllInProjectOrSolution_FixesEveryDocument(FixAllScope scope)
    {
        var sources = new[] { Wrap(ReluModel("First")), Wrap(ReluModel("Second"), ReluModel("Third")).Replace("class Models", "class MoreModels") };
        var texts = await FixAllAsync(sources, scope);
        Assert.Equal(1, CountOf(texts[0], "// FPT002: sigma_w^2 = 2"));
        Assert.Equal(2, CountOf(texts[1], "// FPT002: sigma_w^2 = 2"));
        await AssertNoStabilityWarningAsync(texts, torchSharp: true);
    }

    private static int CountOf(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
