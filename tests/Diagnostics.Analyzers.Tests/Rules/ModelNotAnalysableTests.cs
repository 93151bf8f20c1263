using Diagnostics.Analyzers.Tests.Harness;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>FPT005: models the analyzer cannot read, with the reason.</summary>
public sealed class ModelNotAnalysableTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantWidth_ReportsReason(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build(int hidden)
                {
                    var model = [|Sequential|](Linear(784, hidden), ReLU(), Linear(hidden, 10));
                    return model;
                }
            }
            """;
        await VerifyAsync(source, torchSharp, expected: new Expected("FPT005", Arguments: new object[] { "model", "the width 'hidden' of Linear layer 1 is not a positive compile-time constant" }));
    }

    [Fact]
    public async Task UnknownModule_ReportsReason()
    {
        var source = Sources.Usings + """

            public sealed class MyBlock : Module<Tensor, Tensor>
            {
                public MyBlock() : base("b") { }
                public override Tensor forward(Tensor x) => x;
            }

            public static class Models
            {
                public static Module<Tensor, Tensor> Build() => [|Sequential|](Linear(10, 10), new MyBlock(), Linear(10, 10));
            }
            """;
        await VerifyAsync(source, expected: new Expected("FPT005", Arguments: new object[] { "Sequential", "'new MyBlock()' is not a recognised module" }));
    }

    [Fact]
    public async Task TwoActivationsInARow_ReportsReason()
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build() => [|Sequential|](Linear(10, 10), ReLU(), Tanh(), Linear(10, 10));
            }
            """;
        await VerifyAsync(source, expected: new Expected("FPT005", Arguments: new object[] { "Sequential", "two activations in a row (ReLU then Tanh) after Linear layer 1 are not modelled" }));
    }

    [Fact]
    public async Task MismatchedWidths_ReportsReason()
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build() => [|Sequential|](Linear(10, 20), ReLU(), Linear(30, 10));
            }
            """;
        await VerifyAsync(source, expected: new Expected("FPT005", Arguments: new object[] { "Sequential", "Linear layer 2 takes 30 inputs but the previous layer gives 20" }));
    }

    [Fact]
    public async Task ResidualForward_ReportsReason()
    {
        var source = Sources.Usings + """

            public sealed class {|#0:Residual|} : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(64, 64);
                public Residual() : base(nameof(Residual)) { RegisterComponents(); }
                public override Tensor forward(Tensor x) => x + fc1.forward(x).relu();
            }
            """;
        await VerifyAsync(source, expected: new Expected("FPT005", "#0", new object[] { "Residual", "'x + fc1.forward(x).relu()' in forward (residual connections and rescalings are not modelled)" }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantIfInForward_ReportsReason(bool torchSharp)
    {
        var source = Sources.Usings + """

            public sealed class {|#0:Gated|} : Module<Tensor, Tensor>
            {
                private readonly bool deep;
                private readonly Linear fc1 = Linear(64, 64);
                private readonly Linear fc2 = Linear(64, 64);
                private readonly Linear head = Linear(64, 10);
                public Gated(bool deep) : base(nameof(Gated)) { this.deep = deep; RegisterComponents(); }
                public override Tensor forward(Tensor x)
                {
                    x = functional.relu(fc1.forward(x));
                    if (deep) x = functional.relu(fc2.forward(x));
                    return head.forward(x);
                }
            }
            """;
        await VerifyAsync(source, torchSharp, expected: new Expected("FPT005", "#0", new object[] { "Gated", "'if (deep) ...' in forward: the branch taken is not known at compile time: the field 'deep' is assigned from constructor parameter 'deep'" }));
    }

    [Fact]
    public async Task TorchSharpNotReferenced_NoDiagnostic()
    {
        var run = await RunAsync("public static class C { public static object Linear(int a, int b) => a; public static object Sequential(params object[] m) => m; public static object M(int h) => Sequential(Linear(1, h)); }", torchSharp: false);
        Assert.Empty(run.Diagnostics);
    }
}
