using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// Sequential(array or list): TorchSharp's Sequential(params Module&lt;Tensor, Tensor&gt;[]), Sequential(params (string,
/// Module&lt;Tensor, Tensor&gt;)[]) and the IEnumerable overloads called with a collection built by an array creation, a
/// collection expression, a List initializer or Add in a constant loop; semantic (stub) and loose-file modes. Anything
/// else (non-constant loop, Insert, indexed stores, passing the list to a helper) is FPT005 with the reason.
/// </summary>
public sealed class SequentialCollectionTests
{
    private static string Build(string body) => Sources.Usings + $$"""

        public static class Models
        {
            public static Module<Tensor, Tensor> Build()
            {
                {{body}}
                return model;
            }
        }
        """;

    public static TheoryData<string, bool> Collections()
    {
        var data = new TheoryData<string, bool>();
        string[] bodies =
        {
            "var layers = new Module<Tensor, Tensor>[] { Linear(32, 64), ReLU(), Linear(64, 64), Tanh(), Linear(64, 10) };\n        var model = Sequential(layers);",
            "Module<Tensor, Tensor>[] layers = [Linear(32, 64), ReLU(), Linear(64, 64), Tanh(), Linear(64, 10)];\n        var model = Sequential(layers);",
            "var layers = new List<Module<Tensor, Tensor>> { Linear(32, 64), ReLU(), Linear(64, 64), Tanh(), Linear(64, 10) };\n        var model = Sequential(layers);",
            "var layers = new List<Module<Tensor, Tensor>> { Linear(32, 64), ReLU() };\n        layers.Add(Linear(64, 64));\n        layers.Add(Tanh());\n        layers.Add(Linear(64, 10));\n        var model = Sequential(layers.ToArray());",
            "var model = Sequential(Tuple.Create(\"fc1\", (Module<Tensor, Tensor>)Linear(32, 64)), Tuple.Create(\"relu\", (Module<Tensor, Tensor>)ReLU()), new Tuple<string, Module<Tensor, Tensor>>(\"fc2\", Linear(64, 64)), Tuple.Create(\"tanh\", (Module<Tensor, Tensor>)Tanh()), Tuple.Create(\"out\", (Module<Tensor, Tensor>)Linear(64, 10)));",
            "var layers = new (string, Module<Tensor, Tensor>)[] { (\"fc1\", Linear(32, 64)), (\"relu\", ReLU()), (\"fc2\", Linear(64, 64)), (\"tanh\", Tanh()), (\"out\", Linear(64, 10)) };\n        var model = Sequential(layers);",
        };
        foreach (var body in bodies)
        {
            data.Add(body, true);
            data.Add(body, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task SequentialOfCollection_ReadsElementsInOrder(string body, bool torchSharp)
    {
        var mapped = await Extract.SingleArchitectureAsync(Build(body), torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 32, 64, 64, 10 }, mapped.Network!.Widths);
        Assert.Equal(new[] { ActivationKind.Relu, ActivationKind.Tanh, ActivationKind.Identity }, mapped.Network.Layers.Select(l => l.Activation.Kind));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListFilledByConstantLoop_DeepReluOnDefaults_Vanishing(bool torchSharp)
    {
        // Twelve ReLU layers on TorchSharp's defaults (sigma_w^2 = 1/3, chi = 1/6 per layer): the same FPT002 as the
        // hand-written Sequential of the same layers, with the same numbers.
        var source = Sources.Usings + """

            public static class Models
            {
                private const int Depth = 12;

                public static Module<Tensor, Tensor> Build()
                {
                    var width = 256;
                    var layers = new List<(string name, Module<Tensor, Tensor> module)>();
                    for (int i = 0; i < Depth; i++)
                    {
                        layers.Add(($"fc{i}", Linear(width, width)));
                        if (i < Depth - 1) layers.Add(($"relu{i}", ReLU()));
                    }

                    var model = [|Sequential|](layers);
                    return model;
                }
            }
            """;
        var reference = Sources.Usings + $$"""

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = [|Sequential|]({{Sources.Layers(12, 256, "ReLU()", output: 256)}});
                    return model;
                }
            }
            """;
        var run = await VerifyAsync(source, torchSharp, expected: new Expected("FPT002"));
        var expected = await VerifyAsync(reference, torchSharp, expected: new Expected("FPT002"));
        Assert.Equal(Single(expected, "FPT002").GetMessage(), Single(run, "FPT002").GetMessage());
        Assert.Equal(Single(expected, "FPT004").GetMessage().Replace("model", "M"), Single(run, "FPT004").GetMessage().Replace("model", "M"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TopLevelStatements_ListFilledByLoop(bool syntaxOnly)
    {
        // Loose files only: top-level statements do not compile into the test's class library (CS8805).
        var source = Sources.Usings + """

            const int depth = 3;
            var width = 16;
            var layers = new List<Module<Tensor, Tensor>>();
            for (int i = 0; i < depth; i++) { layers.Add(Linear(width, width)); layers.Add(Tanh()); }
            var model = Sequential(layers);

            public static class Helpers
            {
                // A parameter of the same name elsewhere in the file does not hide the top-level local.
                public static int Twice(int width) => 2 * width;
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp: false, syntaxOnly);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 16, 16, 16, 16 }, mapped.Network!.Widths);
        Assert.All(mapped.Network.Layers, l => Assert.Equal(ActivationKind.Tanh, l.Activation.Kind));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModuleWithSequentialOfList_PerLayerFixCountsTheField(bool torchSharp)
    {
        // A Module subclass whose Sequential field takes a List filled by a constant loop in the constructor: read, and
        // the per-layer fix addresses its weights through that field's named_parameters().
        var source = Sources.Usings + """

            public sealed class Stack : Module<Tensor, Tensor>
            {
                private readonly Module<Tensor, Tensor> body;

                public Stack() : base(nameof(Stack))
                {
                    var width = 64;
                    var layers = new List<Module<Tensor, Tensor>>();
                    for (int i = 0; i < 6; i++)
                    {
                        layers.Add(Linear(width, width));
                        layers.Add(i < 3 ? Tanh() : ReLU());
                    }

                    layers.Add(Linear(width, 10));
                    body = Sequential(layers);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => body.forward(x);
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network == null, "a conditional expression as a module is not read");
        Assert.StartsWith("'i < 3 ? Tanh() : ReLU()' is not a recognised module", mapped.Failure);

        source = source.Replace("layers.Add(i < 3 ? Tanh() : ReLU());", "if (i < 3) layers.Add(Tanh()); else layers.Add(ReLU());");
        var net = (await Extract.SingleArchitectureAsync(source, torchSharp)).Network!;
        Assert.Equal(new[] { 64, 64, 64, 64, 64, 64, 64, 10 }, net.Widths);
        Assert.Equal(new[] { "tanh", "tanh", "tanh", "relu", "relu", "relu", "identity" }, net.Layers.Select(l => l.Activation.ToString()));

        var fixedText = await CodeFixHarness.ApplyFirstFixAsync(source, torchSharp);
        Assert.Contains("in body.named_parameters())", fixedText);
        Assert.Contains("case 0: case 1: case 2:", fixedText);
        Assert.Contains("case 3: case 4: case 5:", fixedText);
        await CodeFixHarness.AssertNoStabilityWarningAsync(new[] { fixedText }, torchSharp);
        var fixedNet = (await Extract.SingleArchitectureAsync(fixedText, torchSharp)).Network!;
        Assert.Equal(new[] { 2.0, 2.0, 2.0, 1.0 }, fixedNet.Layers.Skip(3).Select(l => l.WeightVariance), (a, b) => Math.Abs(a - b) <= 1e-12); // gain^2 = (sqrt 2)^2 up to round-off
    }

    /// <summary>Collections the analyzer does not read, with the FPT005 reason (model name "model").</summary>
    public static TheoryData<string, string, bool> NotRead()
    {
        var cases = new (string Body, string Reason)[]
        {
            ("var layers = new List<Module<Tensor, Tensor>>();\n        for (int i = 0; i < Depth(); i++) layers.Add(ReLU());\n        var model = [|Sequential|](layers);",
                "'layers' is filled by 'for (int i = 0; i < Depth(); i++) layers.Add(ReLU());' (only constant loops and constant conditions are unrolled)"),
            ("var layers = new List<Module<Tensor, Tensor>> { Linear(16, 16) };\n        layers.Insert(0, ReLU());\n        var model = [|Sequential|](layers);",
                "'layers' is changed by 'layers.Insert(0, ReLU());' (only initializers and Add/append in straight-line code or constant loops are read)"),
            ("var layers = new Module<Tensor, Tensor>[2];\n        var model = [|Sequential|](layers);",
                "'layers': the array 'new Module<Tensor, Tensor>[2]' is created without an initializer (only new T[] { ... }, new[] { ... } and [ ... ] are read)"),
            ("var layers = new Module<Tensor, Tensor>[] { Linear(16, 16), ReLU() };\n        layers[1] = Tanh();\n        var model = [|Sequential|](layers);",
                "'layers' is changed by 'layers[1] = Tanh();' (only initializers and Add/append in straight-line code or constant loops are read)"),
            ("var layers = new List<Module<Tensor, Tensor>> { Linear(16, 16) };\n        Fill(layers);\n        var model = [|Sequential|](layers);",
                "'layers' is changed by 'Fill(layers);' (only initializers and Add/append in straight-line code or constant loops are read)"),
            ("Module<Tensor, Tensor>[] more = [Linear(16, 16)];\n        Module<Tensor, Tensor>[] layers = [Linear(16, 16), ..more];\n        var model = [|Sequential|](layers);",
                "'layers': the collection expression element '..more' is not read (only plain elements are)"),
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var (body, reason) in cases)
        {
            data.Add(body, reason, true);
            data.Add(body, reason, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NotRead))]
    public async Task CollectionNotRead_ReportsFPT005WithReason(string body, string reason, bool torchSharp)
    {
        var source = Sources.Usings + $$"""

            public static class Models
            {
                private static int Depth() => 3;
                private static void Fill(List<Module<Tensor, Tensor>> layers) => layers.Add(ReLU());

                public static Module<Tensor, Tensor> Build()
                {
                    {{body}}
                    return model;
                }
            }
            """;
        await VerifyAsync(source, torchSharp, expected: new Expected("FPT005", Arguments: new object[] { "model", reason }));
    }
}
