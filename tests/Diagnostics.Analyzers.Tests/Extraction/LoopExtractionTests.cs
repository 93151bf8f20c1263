using Diagnostics.Analyzers.Tests.Harness;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>ModuleList and List models filled by loops with constant bounds, and loops over them in forward.</summary>
public sealed class LoopExtractionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModuleListFilledInConstructor_ForeachInForward(bool torchSharp)
    {
        var source = Sources.Usings + """

            public sealed class Deep : Module<Tensor, Tensor>
            {
                private const int Depth = 6;
                private readonly ModuleList<Module<Tensor, Tensor>> layers = new ModuleList<Module<Tensor, Tensor>>();
                private readonly Linear head;

                public Deep() : base(nameof(Deep))
                {
                    for (int i = 0; i < Depth; i++)
                    {
                        layers.Add(Linear(i == 0 ? 32 : 64, 64));
                    }

                    head = Linear(64, 3);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    foreach (var layer in layers) x = layer.forward(x).relu();
                    return head.forward(x);
                }
            }
            """;
        var net = (await Extract.SingleArchitectureAsync(source, torchSharp)).Network!;
        Assert.Equal(new[] { 32, 64, 64, 64, 64, 64, 64, 3 }, net.Widths);
        Assert.Equal(Enumerable.Repeat("relu", 6).Append("identity"), net.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task IndexedLoopInForward_WithConditionOnIndex(bool torchSharp)
    {
        var source = Sources.Usings + """

            public sealed class Deep : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers;

                public Deep() : base(nameof(Deep))
                {
                    layers = new ModuleList<Linear>(Linear(10, 20), Linear(20, 20));
                    for (int i = 1; i <= 2; ++i) layers.append(Linear(20, 20));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++)
                    {
                        x = layers[i].forward(x);
                        if (i < layers.Count - 1) x = functional.tanh(x);
                    }

                    return x;
                }
            }
            """;
        var net = (await Extract.SingleArchitectureAsync(source, torchSharp)).Network!;
        Assert.Equal(new[] { 10, 20, 20, 20, 20 }, net.Widths);
        Assert.Equal(new[] { "tanh", "tanh", "tanh", "identity" }, net.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SequentialOfListBuiltInLoop(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                private const int Hidden = 48;

                public static Module<Tensor, Tensor> Build()
                {
                    var modules = new List<(string, Module<Tensor, Tensor>)>();
                    for (int i = 0; i < 4; i++)
                    {
                        modules.Add(($"fc{i}", Linear(i == 0 ? 16 : Hidden, Hidden)));
                        modules.Add(($"act{i}", GELU()));
                    }

                    modules.Add(("out", Linear(Hidden, 1)));
                    var model = Sequential(modules);
                    return model;
                }
            }
            """;
        var net = (await Extract.SingleArchitectureAsync(source, torchSharp)).Network!;
        Assert.Equal(new[] { 16, 48, 48, 48, 48, 1 }, net.Widths);
        Assert.Equal(new[] { "gelu", "gelu", "gelu", "gelu", "identity" }, net.Layers.Select(l => l.Activation.ToString()));
    }

    [Fact]
    public async Task LoopWithoutConstantBound_ReportsNotAnalysable()
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build(int depth)
                {
                    var modules = new List<Module<Tensor, Tensor>>();
                    for (int i = 0; i < depth; i++) modules.Add(Linear(8, 8));
                    return [|Sequential|](modules);
                }
            }
            """;
        await VerifyAsync(source, expected: new Expected("FPT005", Arguments: new object[]
        {
            "Sequential", "'modules' is filled by 'for (int i = 0; i < depth; i++) modules.Add(Linear(8, 8));' (only constant loops and constant conditions are unrolled)",
        }));
    }
}
