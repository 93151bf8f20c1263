using Diagnostics.Analyzers.Tests.Harness;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// readonly and static readonly fields folded by the constant folder when their single assignment (the declaration's
/// initializer, or one top-level statement of a constructor that runs before the read) folds, in three modes: semantic
/// with the TorchSharp stub, loose file (semantic model without TorchSharp) and pure syntax. Fields assigned from a
/// constructor parameter, in several places, conditionally, before the read, not readonly, or depending on themselves
/// stay unknown and FPT005 names the field. Expected numbers are closed forms: normal_(std) gives sigma_w^2 = std^2
/// fan_in, C# int division truncates.
/// </summary>
public sealed class ReadonlyFieldFoldingTests
{
    private const double Tolerance = 1e-12; // exact arithmetic up to round-off

    public static TheoryData<bool, bool> Modes => new() { { true, false }, { false, false }, { false, true } };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StaticReadonlyFields_FoldedInSequential(bool torchSharp, bool syntaxOnly)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                private const int Base = 32;
                private static readonly int Width = 2 * Base;
                private static readonly int Third = Width / 3;
                private static readonly double Std = Math.Sqrt(2.0 / Width);
                private static readonly bool WithBias = false;

                public static Module<Tensor, Tensor> Build()
                {
                    var fc1 = Linear(Width, Width);
                    var model = Sequential(fc1, ReLU(), Linear(Models.Width, Third, hasBias: WithBias), ReLU(), Linear(Third, 10));
                    init.normal_(fc1.weight!, 0, Std);
                    return model;
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp, syntaxOnly);
        Assert.True(mapped.Network != null, mapped.Failure);
        var net = mapped.Network!;
        Assert.Equal(new[] { 64, 64, 64 / 3, 10 }, net.Widths); // 21: Width is an int field, C# int division truncates
        Assert.Equal(2.0 / 64 * 64, net.Layers[0].WeightVariance, Tolerance); // std^2 fan_in = 2
        Assert.Equal(0, net.Layers[1].BiasVariance); // hasBias: false
    }

    private const string ConstructorAssigned = """

        public sealed class Net : Module<Tensor, Tensor>
        {
            private const int Input = 784;
            private readonly int hidden;
            private readonly double std;
            private readonly Linear fc1, fc2, fc3;

            public Net() : base(nameof(Net))
            {
                hidden = Input / 4;
                this.std = Math.Sqrt(1.0 / hidden);
                fc1 = Linear(Input, hidden);
                fc2 = Linear(hidden, this.hidden);
                fc3 = Linear(hidden, 10);
                init.normal_(fc2.weight!, 0, std);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => fc3.forward(torch.tanh(fc2.forward(torch.tanh(fc1.forward(x)))));
        }
        """;

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task FieldsAssignedOnceInConstructor_Folded(bool torchSharp, bool syntaxOnly)
    {
        var mapped = await Extract.SingleArchitectureAsync(Sources.Usings + ConstructorAssigned, torchSharp, syntaxOnly);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 784, 196, 196, 10 }, mapped.Network!.Widths);
        Assert.Equal(1.0 / 196 * 196, mapped.Network.Layers[1].WeightVariance, Tolerance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FieldsAssignedOnceInConstructor_NoNotAnalysable(bool torchSharp)
    {
        var run = await RunAsync(Sources.Usings + ConstructorAssigned, torchSharp);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "FPT005");
        Assert.Contains(run.Diagnostics, d => d.Id == "FPT004");
    }

    /// <summary>Field declarations and constructor bodies that must not fold, and the reason FPT005 must give ({0}: the line of the statement named).</summary>
    public static TheoryData<string, string, string, string> NotFolded => new()
    {
        { "private readonly int hidden;", "hidden = h;", "", "the field 'hidden' is assigned from constructor parameter 'h'" },
        { "private readonly int hidden;", "hidden = 2 * h + 1;", "", "the field 'hidden' is assigned from constructor parameter 'h'" },
        { "private readonly int hidden = 64;", "hidden = 128;", "", "the field 'hidden' is assigned in 2 places ('private readonly int hidden = 64;', line {0}; 'hidden = 128;', line {1})" },
        { "private readonly int hidden;", "if (h > 0) hidden = 64; else hidden = 32;", "", "the field 'hidden' is assigned in 2 places ('hidden = 64;', line {1}; 'hidden = 32;', line {1})" },
        { "private readonly int hidden;", "if (h > 0) hidden = 64;", "", "the field 'hidden' is assigned inside a condition, loop or lambda of the constructor ('hidden = 64;', line {1})" },
        { "private int hidden = 64;", "", "", "the field 'hidden' is not readonly (it may change after construction)" },
        { "private readonly int hidden;", "", "", "the field 'hidden' is never assigned" },
        { "private readonly int hidden;", "", "hidden = 64;", "the field 'hidden' is read before the constructor assigns it ('hidden = 64;', line {2})" },
        { "private readonly int hidden = 64;", "Widen(ref hidden);", "", "the field 'hidden' is passed by ref ('Widen(ref hidden);', line {1})" },
        { "private readonly int hidden = 64;", "hidden++;", "", "the field 'hidden' is incremented or decremented ('hidden++;', line {1})" },
        { "private readonly int hidden;", "hidden = Environment.ProcessorCount;", "", "the field 'hidden' is assigned 'Environment.ProcessorCount', which is not a compile-time constant" },
    };

    private static string NotFoldedModel(string field, string before, string after) => Sources.Usings + $$"""

        public sealed class [|Net|] : Module<Tensor, Tensor>
        {
            {{field}}
            private readonly Linear fc1, fc2;

            public Net(int h) : base(nameof(Net))
            {
                {{before}}
                fc1 = Linear(hidden, hidden);
                fc2 = Linear(32, 10);
                {{after}}
                RegisterComponents();
            }

            private static void Widen(ref int w) => w *= 2;

            public override Tensor forward(Tensor x) => fc2.forward(torch.tanh(fc1.forward(x)));
        }
        """;

    private static string Expected(string source, string field, string before, string after, string reason)
    {
        int Line(string s) => s.Length == 0 ? 0 : source[..source.IndexOf(s, StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        return "the width 'hidden' of Linear layer 1 is not a positive compile-time constant: "
            + string.Format(System.Globalization.CultureInfo.InvariantCulture, reason, Line(field), Line(before), Line(after));
    }

    [Theory]
    [MemberData(nameof(NotFolded))]
    public async Task NotFoldableField_ReportsFPT005NamingTheField(string field, string before, string after, string reason)
    {
        var markup = NotFoldedModel(field, before, after);
        var expected = Expected(Markup.Parse(markup).Source, field, before, after, reason);
        foreach (bool torchSharp in new[] { true, false })
            await VerifyAsync(markup, torchSharp, expected: new Expected("FPT005", Arguments: new object[] { "Net", expected }));
    }

    [Theory]
    [MemberData(nameof(NotFolded))]
    public async Task NotFoldableField_UnknownWithReason_SyntaxOnly(string field, string before, string after, string reason)
    {
        var source = Markup.Parse(NotFoldedModel(field, before, after)).Source;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp: false, syntaxOnly: true);
        Assert.Null(mapped.Network);
        Assert.Equal(Expected(source, field, before, after, reason), mapped.Failure);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task FieldsDependingOnEachOther_UnknownNotLooping(bool torchSharp, bool syntaxOnly)
    {
        // Instance initializers that read instance fields do not compile (CS0236); loose files are read anyway.
        var source = Sources.Usings + """

            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly int a = b + 1;
                private readonly int b = a * 2;
                private readonly Linear fc1 = Linear(a, 10);

                public Net() : base(nameof(Net)) { RegisterComponents(); }

                public override Tensor forward(Tensor x) => fc1.forward(x);
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp, syntaxOnly);
        Assert.Null(mapped.Network);
        Assert.Equal("the width 'a' of Linear layer 1 is not a positive compile-time constant: the field 'a' is initialized with 'b + 1', which is not a compile-time constant: "
            + "the field 'b' is initialized with 'a * 2', which is not a compile-time constant: the field 'a' depends on itself", mapped.Failure);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StaticFieldReadBeforeItsInitializer_Unknown(bool torchSharp, bool syntaxOnly)
    {
        // Static initializers run in textual order: First reads Second while it is still 0.
        var source = Sources.Usings + """

            public static class Models
            {
                private static readonly int First = Second * 2;
                private static readonly int Second = 16;

                public static Module<Tensor, Tensor> Build() => Sequential(Linear(First, 10));
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp, syntaxOnly);
        Assert.Null(mapped.Network);
        Assert.Equal("the width 'First' of Linear layer 1 is not a positive compile-time constant: the field 'First' is initialized with 'Second * 2', which is not a compile-time constant: "
            + "the static field 'Second' is read before its initializer runs (static field initializers run in textual order)", mapped.Failure);

        var swapped = await Extract.SingleArchitectureAsync(source.Replace("First = Second * 2;\n    private static readonly int Second = 16;", "Second = 16;\n    private static readonly int First = Second * 2;"), torchSharp, syntaxOnly);
        Assert.True(swapped.Network != null, swapped.Failure);
        Assert.Equal(new[] { 32, 10 }, swapped.Network!.Widths);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ParameterShadowingField_NotFolded(bool torchSharp, bool syntaxOnly)
    {
        // The parameter 'Width' hides the field: its value is not known, whatever the field holds.
        var source = Sources.Usings + """

            public static class Models
            {
                private static readonly int Width = 64;

                public static Module<Tensor, Tensor> Build(int Width) => Sequential(Linear(Width, 10));

                public static Module<Tensor, Tensor> Other() => Sequential(Linear(Models.Width, 10));
            }
            """;
        var models = await Extract.ModelsAsync(source, torchSharp, syntaxOnly);
        Assert.Equal(2, models.Count);
        var shadowed = global::Diagnostics.Analyzers.Analysis.ArchitectureMapper.Map(models[0], 1);
        Assert.Null(shadowed.Network);
        Assert.Equal("the width 'Width' of Linear layer 1 is not a positive compile-time constant", shadowed.Failure);
        var qualified = global::Diagnostics.Analyzers.Analysis.ArchitectureMapper.Map(models[1], 1);
        Assert.Equal(new[] { 64, 10 }, qualified.Network!.Widths);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PartialTypeAssigningInOtherPart_NotFolded(bool torchSharp, bool syntaxOnly)
    {
        var source = Sources.Usings + """

            public sealed partial class Net : Module<Tensor, Tensor>
            {
                private readonly int hidden = 64;
                private readonly Linear fc1;

                public Net() : base(nameof(Net))
                {
                    fc1 = Linear(hidden, 10);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => fc1.forward(x);
            }

            public sealed partial class Net
            {
                public Net(bool wide) : base(nameof(Net))
                {
                    hidden = 128;
                    fc1 = Linear(hidden, 10);
                    RegisterComponents();
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp, syntaxOnly);
        Assert.Null(mapped.Network);
        Assert.StartsWith("the width 'hidden' of Linear layer 1 is not a positive compile-time constant: the field 'hidden' is assigned in 2 places (", mapped.Failure);
    }
}
