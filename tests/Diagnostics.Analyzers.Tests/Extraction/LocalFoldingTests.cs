using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// Non-const locals folded when the compiler knows them (declared once with an initializer, never written again), in
/// three modes: semantic with the TorchSharp stub, loose file (semantic model without TorchSharp) and pure syntax (no
/// semantic model). A local that is written again, has no initializer or is passed by ref/out stays unknown (FPT005
/// names the local and the statement). Expected numbers are the closed forms: normal_(std) gives sigma_w^2 = std^2
/// fan_in, calculate_gain(Tanh) = 5/3, C# int division truncates.
/// </summary>
public sealed class LocalFoldingTests
{
    private const double Tolerance = 1e-12; // exact arithmetic up to round-off

    public static TheoryData<bool, bool> Modes => new() { { true, false }, { false, false }, { false, true } };

    private const string FoldedModel = """

        public static class Models
        {
            public static Module<Tensor, Tensor> Build()
            {
                var gain = init.calculate_gain(init.NonlinearityType.Tanh);
                double std = gain / Math.Sqrt(256);
                var width = 256;
                var hidden = width / 3;
                var withBias = false;
                var fc1 = Linear(width, width);
                var model = Sequential(fc1, Tanh(), Linear(width, hidden, hasBias: withBias), Tanh(), Linear(hidden, 10));
                init.normal_(fc1.weight!, 0, std);
                var lr = 0.5 / width;
                var optimizer = torch.optim.SGD(model.parameters(), learningRate: lr);
                return model;
            }
        }
        """;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NeverWrittenLocals_AreFolded(bool torchSharp, bool syntaxOnly)
    {
        var source = Sources.Usings + FoldedModel;
        var models = await Extract.ModelsAsync(source, torchSharp, syntaxOnly);
        var model = Assert.Single(models);
        var mapped = global::Diagnostics.Analyzers.Analysis.ArchitectureMapper.Map(model, 1);
        Assert.True(mapped.Network != null, mapped.Failure);
        var net = mapped.Network!;
        Assert.Equal(new[] { 256, 256, 256 / 3, 10 }, net.Widths); // 85: C# int division truncates
        double gain = 5.0 / 3.0, std = gain / 16;
        Assert.Equal(std * std * 256, net.Layers[0].WeightVariance, Tolerance); // = gain^2
        Assert.Equal(0, net.Layers[1].BiasVariance);
        var optimizer = Assert.Single(model.Optimizers);
        Assert.Equal(0.5 / 256, optimizer.LearningRate!.Value, Tolerance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NeverWrittenLocals_NoNotAnalysable(bool torchSharp)
    {
        var run = await RunAsync(Sources.Usings + FoldedModel, torchSharp);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "FPT005");
        Assert.Contains(run.Diagnostics, d => d.Id == "FPT004");
    }

    /// <summary>Statements that write the local 'width' after its declaration, and the reason FPT005 must give.</summary>
    public static TheoryData<string, string, string> Writes => new()
    {
        { "var width = 256;\n        width = 512;", "width = 512;", "the local 'width' is assigned again ('{0}', line {1})" },
        { "var width = 64;\n        for (int i = 0; i < 2; i++) width *= 2;", "for (int i = 0; i < 2; i++) width *= 2;", "the local 'width' is assigned again ('width *= 2;', line {1})" },
        { "var width = 256;\n        width++;", "width++;", "the local 'width' is incremented or decremented ('{0}', line {1})" },
        { "var width = 256;\n        Widen(ref width);", "Widen(ref width);", "the local 'width' is passed by ref ('{0}', line {1})" },
        { "var width = 256;\n        Read(out width);", "Read(out width);", "the local 'width' is passed by out ('{0}', line {1})" },
        { "var width = 256;\n        Action a = () => width = 128;", "Action a = () => width = 128;", "the local 'width' is assigned again ('{0}', line {1})" },
        { "int width;\n        if (DateTime.Now.Second > 30) width = 512; else width = 256;", "int width;", "the local 'width' is declared without an initializer (its value is assigned later)" },
    };

    private static string WrittenModel(string statements) => Sources.Usings + $$"""

        public static class Models
        {
            private static void Widen(ref int w) => w *= 2;
            private static void Read(out int w) => w = 128;

            public static Module<Tensor, Tensor> Build()
            {
                {{statements}}
                var model = [|Sequential|](Linear(width, width), ReLU(), Linear(width, 10));
                return model;
            }
        }
        """;

    private static string Reason(string source, string statement, string format)
    {
        var line = source[..source.IndexOf(statement, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, statement, line);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task WrittenLocal_ReportsFPT005NamingTheLocal_Semantic(string statements, string statement, string reason)
    {
        var source = WrittenModel(statements);
        var expected = "the width 'width' of Linear layer 1 is not a positive compile-time constant: " + Reason(Markup.Parse(source).Source, statement, reason);
        await VerifyAsync(source, torchSharp: true, expected: new Expected("FPT005", Arguments: new object[] { "model", expected }));
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task WrittenLocal_ReportsFPT005NamingTheLocal_LooseFile(string statements, string statement, string reason)
    {
        var source = WrittenModel(statements);
        var expected = "the width 'width' of Linear layer 1 is not a positive compile-time constant: " + Reason(Markup.Parse(source).Source, statement, reason);
        await VerifyAsync(source, torchSharp: false, expected: new Expected("FPT005", Arguments: new object[] { "model", expected }));
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task WrittenLocal_UnknownWithReason_SyntaxOnly(string statements, string statement, string reason)
    {
        var source = Markup.Parse(WrittenModel(statements)).Source;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp: false, syntaxOnly: true);
        Assert.Null(mapped.Network);
        Assert.Equal("the width 'width' of Linear layer 1 is not a positive compile-time constant: " + Reason(source, statement, reason), mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WrittenStdLocal_InitReportedUnknown(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var fc1 = Linear(64, 64);
                    double std = 0.1;
                    std *= 2;
                    var model = [|Sequential|](fc1, Tanh(), Linear(64, 10));
                    init.normal_(fc1.weight!, 0, std);
                    return model;
                }
            }
            """;
        var line = Markup.Parse(source).Source.Split('\n').ToList().FindIndex(l => l.Contains("std *= 2;")) + 1;
        await VerifyAsync(source, torchSharp, expected: new Expected("FPT005", Arguments: new object[]
        {
            "model", $"Linear layer 1: normal_: std: 'std' is not a compile-time constant: the local 'std' is assigned again ('std *= 2;', line {line})",
        }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WrittenLearningRate_SummarySaysWhy(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var lr = 0.1;
                    var model = Sequential(Linear(8, 8), ReLU(), Linear(8, 1));
                    lr /= 10;
                    var optimizer = torch.optim.SGD(model.parameters(), learningRate: lr);
                    return model;
                }
            }
            """;
        var run = await RunAsync(source, torchSharp);
        var line = source.Split('\n').ToList().FindIndex(l => l.Contains("lr /= 10;")) + 1;
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "FPT003"); // not checked when the rate is unknown
        Assert.Contains($"optimizer SGD with learning rate 'lr' (not constant: the local 'lr' is assigned again ('lr /= 10;', line {line}))", Single(run, "FPT004").GetMessage());
    }

    [Fact]
    public async Task SameNameDeclaredTwice_SyntaxOnlyStaysUnknown()
    {
        // Without a semantic model two declarations of one name in a member cannot be told apart: unknown, not guessed.
        var twice = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    foreach (var width in new[] { 1, 2 }) Console.WriteLine(width);
                    {
                        var width = 64;
                        var model = Sequential(Linear(width, 10));
                        return model;
                    }
                }
            }
            """;
        var failure = (await Extract.SingleArchitectureAsync(twice, torchSharp: false, syntaxOnly: true)).Failure;
        Assert.Equal("the width 'width' of Linear layer 1 is not a positive compile-time constant: the name 'width' is declared more than once in this member", failure);
        // With the semantic model the two locals are different symbols and the inner one folds.
        var semantic = await Extract.SingleArchitectureAsync(twice, torchSharp: true);
        Assert.Equal(new[] { 64, 10 }, semantic.Network!.Widths);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task LocalInsideConstantLoop_FoldedPerIteration(bool torchSharp, bool syntaxOnly)
    {
        var source = Sources.Usings + """

            public sealed class Pyramid : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();

                public Pyramid() : base(nameof(Pyramid))
                {
                    var baseWidth = 16;
                    for (int i = 0; i < 3; i++)
                    {
                        var fanIn = baseWidth << 0 == 16 ? baseWidth * (i + 1) : 0;
                        var fanOut = baseWidth * (i + 2);
                        layers.Add(Linear(fanIn, fanOut));
                    }

                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    foreach (var layer in layers) x = layer.forward(x).relu();
                    return x;
                }
            }
            """;
        // '<<' is not folded: the model is not analysable, and the reason is the expression, not a guess.
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp, syntaxOnly);
        Assert.Null(mapped.Network);
        Assert.StartsWith("the width 'fanIn' of Linear layer 1 is not a positive compile-time constant", mapped.Failure);

        var folded = await Extract.SingleArchitectureAsync(source.Replace("baseWidth << 0 == 16 ? baseWidth * (i + 1) : 0", "baseWidth * (i + 1)"), torchSharp, syntaxOnly);
        Assert.True(folded.Network != null, folded.Failure);
        Assert.Equal(new[] { 16, 32, 48, 64 }, folded.Network!.Widths);
        Assert.All(folded.Network.Layers, l => Assert.Equal(ActivationKind.Relu, l.Activation.Kind));
    }
}
