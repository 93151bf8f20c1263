using Diagnostics.Analyzers.Analysis;
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
    public async Task IndexedLoopInForward_LinqCountBound(bool torchSharp)
    {
        var source = Sources.Usings + """

            using System.Linq;

            public sealed class Deep : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>(Linear(10, 20), Linear(20, 20), Linear(20, 5));

                public Deep() : base(nameof(Deep)) { RegisterComponents(); }

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count(); i++)
                    {
                        x = layers[i].forward(x);
                        if (i < layers.Count() - 1) x = functional.relu(x);
                    }

                    return x;
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 10, 20, 20, 5 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConstantConditionsInForward_BeforeAndAfterALoop_TakeOneBranch(bool torchSharp)
    {
        // Each if is folded where it stands: the one before the loop (it used to be walked as straight-line code, both
        // branches) and the one after it (it used to be folded only because the loop's bindings stayed behind).
        var source = Sources.Usings + """

            public sealed class Net : Module<Tensor, Tensor>
            {
                private const bool UseTanh = false;
                private const int Extra = 0;
                private readonly Linear stem = Linear(16, 32);
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();
                private readonly Linear extra = Linear(32, 32);
                private readonly Linear head = Linear(32, 4);

                public Net() : base(nameof(Net))
                {
                    for (int i = 0; i < 3; i++) layers.Add(Linear(32, 32));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    x = stem.forward(x);
                    if (UseTanh) x = functional.tanh(x);
                    else x = functional.relu(x);
                    for (int i = 0; i < layers.Count; i++) x = functional.relu(layers[i].forward(x));
                    if (Extra > 0) x = functional.relu(extra.forward(x));
                    return head.forward(x);
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 16, 32, 32, 32, 32, 4 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "relu", "relu", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LoopOverACollectionThatIsNotRead_DoesNotBorrowTheCountOfAnEarlierModel(bool torchSharp)
    {
        // Two models read by one extractor (as `fpt check` reads a file): A's layers.Count = 4 must end with A's loop.
        // B's layers come from a helper, so its loop bound is unknown; it used to be unrolled 4 times (4 tanh layers).
        var source = Sources.Usings + """

            public sealed class A : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();

                public A() : base(nameof(A))
                {
                    for (int i = 0; i < 4; i++) layers.Add(Linear(16, 16));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++) x = layers[i].forward(x).tanh();
                    return x;
                }
            }

            public sealed class B : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers;
                private readonly Linear fc = Linear(16, 16);

                public B() : base(nameof(B))
                {
                    layers = Make();
                    RegisterComponents();
                }

                private static ModuleList<Linear> Make() => new ModuleList<Linear>();

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++) x = fc.forward(x).tanh();
                    return x;
                }
            }
            """;
        var models = await Extract.ModelsAsync(source, torchSharp);
        Assert.Equal(new[] { "A", "B" }, models.Select(m => m.Name));
        Assert.Equal(new[] { 16, 16, 16, 16, 16 }, ArchitectureMapper.Map(models[0], 1).Network!.Widths);
        var b = ArchitectureMapper.Map(models[1], 1);
        Assert.True(b.Network == null, "B's loop bound is not known");
        Assert.Equal("forward contains a loop (the number of layers it applies is not read)", b.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConstructorLoopReadInsideAForwardLoop_KeepsTheForwardLoopVariable(bool torchSharp)
    {
        // stem's list is filled by a constructor loop over i, read when forward's loop over i first calls stem: that
        // loop used to unbind forward's i, so layers[i] after it was not read.
        var source = Sources.Usings + """

            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();
                private readonly Module<Tensor, Tensor> stem;

                public Net() : base(nameof(Net))
                {
                    var modules = new List<Module<Tensor, Tensor>>();
                    for (int i = 0; i < 2; i++)
                    {
                        modules.Add(Linear(i == 0 ? 8 : 16, 16));
                        modules.Add(ReLU());
                    }

                    stem = Sequential(modules);
                    for (int i = 0; i < 3; i++) layers.Add(Linear(16, 16));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++)
                    {
                        if (i == 0) x = stem.forward(x);
                        x = layers[i].forward(x);
                        if (i < layers.Count - 1) x = functional.tanh(x);
                    }

                    return x;
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 8, 16, 16, 16, 16, 16 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "tanh", "tanh", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
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

    public static TheoryData<bool, bool> Modes => new() { { true, false }, { false, false }, { false, true } };

    private static string ElementInits(string inits) => Sources.Usings + $$"""

        public sealed class Deep : Module<Tensor, Tensor>
        {
            private readonly ModuleList<Linear> layers = new ModuleList<Linear>();

            public Deep() : base(nameof(Deep))
            {
                for (int i = 0; i < 4; i++) layers.Add(Linear(100, 100));
                RegisterComponents();
                {{inits}}
            }

            public override Tensor forward(Tensor x)
            {
                foreach (var layer in layers) x = layer.forward(x).tanh();
                return x;
            }
        }
        """;

    /// <summary>Element inits and the sigma_w^2 = std^2 fan_in (fan_in 100) they give each layer; TorchSharp's default is 1/3.</summary>
    public static TheoryData<string, double[]> Inits => new()
    {
        { "init.normal_(layers[2].weight!, 0, 0.2);", new[] { 1.0 / 3, 1.0 / 3, 4.0, 1.0 / 3 } },
        { "for (int k = 0; k < layers.Count; k++) init.normal_(layers[k].weight!, 0, k == 0 ? 0.1 : 0.2);", new[] { 1.0, 4.0, 4.0, 4.0 } },
        { "foreach (var l in layers) init.normal_(l.weight!, 0, 0.1);", new[] { 1.0, 1.0, 1.0, 1.0 } },
        { "for (int k = 1; k <= 2; ++k) { if (k < 2) init.normal_(layers[k].weight!, 0, 0.1); else init.normal_(layers[k].weight!, 0, 0.3); }", new[] { 1.0 / 3, 1.0, 9.0, 1.0 / 3 } },
        { "foreach (var l in layers) init.normal_(l.weight!, 0, 0.1); init.normal_(layers[3].weight!, 0, 0.2);", new[] { 1.0, 1.0, 1.0, 4.0 } },
        { "foreach (var l in layers) init.kaiming_normal_(l.weight!, nonlinearity: init.NonlinearityType.ReLU);", new[] { 2.0, 2.0, 2.0, 2.0 } },
    };

    [Theory]
    [MemberData(nameof(Inits))]
    public async Task InitsOfCollectionElements_ReadBack(string inits, double[] weightVariances)
    {
        foreach (var (torchSharp, syntaxOnly) in new[] { (true, false), (false, false), (false, true) })
        {
            var mapped = await Extract.SingleArchitectureAsync(ElementInits(inits), torchSharp, syntaxOnly);
            Assert.True(mapped.Network != null, mapped.Failure);
            Assert.Equal(weightVariances, mapped.Network!.Layers.Select(l => l.WeightVariance), (a, b) => Math.Abs(a - b) <= 1e-12);
        }
    }

    [Theory]
    [InlineData("for (int k = 0; k < n; k++) init.normal_(layers[k].weight!, 0, 0.1);", "the loop 'for (int k = 0; k < n; k++) init.normal_(layers[k].weight...' around 'init.normal_(layers[k].weight!, 0, 0.1)' does not have constant bounds")]
    [InlineData("init.normal_(layers[n].weight!, 0, 0.1);", "the index of 'layers[n]' is not a compile-time constant")]
    [InlineData("foreach (var l in layers) { if (n > 2) init.normal_(l.weight!, 0, 0.1); }", "the condition 'n > 2' around 'init.normal_(l.weight!, 0, 0.1)' is not a compile-time constant")]
    public async Task UnreadableElementInit_ReportsFPT005(string inits, string reason)
    {
        var source = ElementInits(inits).Replace("public Deep() : base(nameof(Deep))", "public Deep(int n) : base(nameof(Deep))").Replace("public sealed class Deep", "public sealed class [|Deep|]");
        foreach (bool torchSharp in new[] { true, false })
            await VerifyAsync(source, torchSharp, expected: new Expected("FPT005", Arguments: new object[] { "Deep", "Linear layer 1: normal_: " + reason }));
    }
}
