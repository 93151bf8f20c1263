using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>FPT001: exploding Jacobian spectrum.</summary>
public sealed class ExplodingJacobianSpectrumTests
{
    private const string ModuleWithLargeGaussianInit = Sources.Usings + """

        public sealed class {|#0:WideNet|} : Module<Tensor, Tensor>
        {
            private const int Width = 128;
            private readonly Module<Tensor, Tensor> layers;

            public WideNet() : base(nameof(WideNet))
            {
                layers = Sequential(
                    ("fc1", Linear(Width, Width)), ("act1", ReLU()),
                    ("fc2", Linear(Width, Width)), ("act2", ReLU()),
                    ("fc3", Linear(Width, Width)), ("act3", ReLU()),
                    ("fc4", Linear(Width, Width)), ("act4", ReLU()),
                    ("fc5", Linear(Width, Width)), ("act5", ReLU()),
                    ("fc6", Linear(Width, Width)), ("act6", ReLU()),
                    ("fc7", Linear(Width, Width)), ("act7", ReLU()),
                    ("fc8", Linear(Width, Width)), ("act8", ReLU()),
                    ("fc9", Linear(Width, Width)), ("act9", ReLU()),
                    ("fc10", Linear(Width, Width)));
                foreach (var (name, p) in named_parameters())
                {
                    if (name.Contains("bias")) init.zeros_(p);
                    else init.normal_(p, 0.0, Math.Sqrt(4.0 / Width));
                }

                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => layers.forward(x);
        }
        """;

    /// <summary>sigma_w^2 = Width * 4 / Width = 4, zero bias: chi = 2 per ReLU layer, mean 2^9 (the last layer is linear, chi 4).</summary>
    private static object[] ExpectedArguments()
    {
        var layers = Enumerable.Range(0, 10).Select(l => new Layer(l < 9 ? Activation.Relu : Activation.Identity, 4, 0)).ToArray();
        var law = Sources.Law(new NetworkArchitecture(Enumerable.Repeat(128, 11).ToArray(), layers));
        return new object[] { Sources.N(law.QuantileNonZero(0.9)), 10, "relu", "2", "4" };
    }

    [Fact]
    public async Task LargeGaussianInitInModule_ReportsExploding()
    {
        await VerifyAsync(ModuleWithLargeGaussianInit, expected: new Expected("FPT001", "#0", ExpectedArguments()));
    }

    [Fact]
    public async Task LargeGaussianInitInModule_LooseFile_ReportsExploding()
    {
        await VerifyAsync(ModuleWithLargeGaussianInit, torchSharp: false, expected: new Expected("FPT001", "#0", ExpectedArguments()));
    }

    [Fact]
    public async Task ExplodingThresholdFromEditorConfig_NoDiagnostic()
    {
        await VerifyAsync(ModuleWithLargeGaussianInit, editorConfig: "fpt_exploding_quantile_threshold = 1e300");
    }

    [Fact]
    public async Task KaimingInitModule_NoDiagnostic()
    {
        var source = Sources.Usings + """

            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(784, 512);
                private readonly Linear fc2 = Linear(512, 512);
                private readonly Linear fc3 = Linear(512, 10);

                public Mlp() : base(nameof(Mlp))
                {
                    init.kaiming_normal_(fc1.weight!, nonlinearity: init.NonlinearityType.ReLU);
                    init.kaiming_normal_(fc2.weight!, nonlinearity: init.NonlinearityType.ReLU);
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x) => fc3.forward(functional.relu(fc2.forward(fc1.forward(x).relu())));
            }
            """;
        await VerifyAsync(source);
    }

    [Fact]
    public async Task TorchSharpNotReferenced_NoDiagnostic()
    {
        var source = """
            public abstract class Module<T, R> { public abstract R forward(T x); }
            public sealed class Tensor { }
            public sealed class Net : Module<Tensor, Tensor>
            {
                public override Tensor forward(Tensor x) => x;
            }
            """;
        var run = await RunAsync(source, torchSharp: false);
        Assert.Empty(run.Diagnostics);
    }
}
