using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Microsoft.CodeAnalysis;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.AnalyzerHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>FPT003: SGD learning rate above the stability bound of the Fisher information at initialisation.</summary>
public sealed class LearningRateAboveStabilityBoundTests
{
    private static readonly string[] Rules = { "FPT001", "FPT002", "FPT003", "FPT005" };

    /// <summary>Two hidden ReLU layers, square orthogonal weights with gain^2 = 2, zero biases: Theorem 3.2 setting (lambda_max = 7 exactly).</summary>
    private static string OrthogonalRelu(string optimizer) => Sources.Usings + $$"""

        public static class Training
        {
            private const int Width = 100;

            public static void Train()
            {
                var model = Sequential(Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(), Linear(Width, Width));
                foreach (var (name, p) in model.named_parameters())
                {
                    if (name.EndsWith("weight")) init.orthogonal_(p, gain: Math.Sqrt(2.0));
                    else init.zeros_(p);
                }

                var optimizer = {{optimizer}};
            }
        }
        """;

    private static NetworkArchitecture OrthogonalReluArchitecture() =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(100, 4).ToArray(), Activation.Relu, 2, 0, WeightDistribution.Orthogonal, Activation.Identity, 1);

    private static object[] Arguments(double rate, double lambdaMax, LossNormalisation loss, string formula, string lossText, int outputWidth)
    {
        double bound = FisherSpectrum.MaxStableLearningRate(lambdaMax, outputWidth, loss);
        return new object[] { Sources.N(rate), Sources.N(bound), formula, Sources.N(lambdaMax), lossText, Sources.N(LearningRateBound.Suggest(0.5 * bound)) };
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OrthogonalRelu_RateAboveOneOverLambdaMax_Reports(bool torchSharp)
    {
        double lambdaMax = FisherSpectrum.LargestEigenvalue(OrthogonalReluArchitecture(), LearningRateBound.Options());
        // Hayase and Karakida (2021), Theorem 3.2: the arcsine part of this law ends at 7 (engine tests: to 1e-6).
        Assert.Equal(7, lambdaMax, 1e-5);
        var run = await VerifyAsync(OrthogonalRelu("torch.optim.SGD(model.parameters(), learningRate: {|#0:0.5|})"), torchSharp, rules: Rules,
            expected: new Expected("FPT003", "#0", Arguments(0.5, lambdaMax, LossNormalisation.TorchMseLossMean, "1/lambda_max", "mse_loss, mean reduction", 100), DiagnosticSeverity.Warning));
        var d = Single(run, "FPT003");
        Assert.Contains("use <= 0.0714", d.GetMessage()); // 0.5 / 7 = 0.07142..., rounded down to 3 digits
        Assert.Equal("0.0714", d.Properties[LearningRateBound.SuggestedProperty]);
    }

    [Fact]
    public async Task OrthogonalRelu_RateBelowBound_NoDiagnosticAndBoundInSummary()
    {
        var run = await VerifyAsync(OrthogonalRelu("torch.optim.SGD(model.parameters(), 0.1)"), rules: Rules);
        Assert.Contains("SGD learning rate 0.1 is within the stability bound 0.143 = 1/lambda_max", Single(run, "FPT004").GetMessage());
    }

    [Theory]
    [InlineData("half_mse", 0.25, false)] // 2/7 = 0.286
    [InlineData("mse_mean", 0.25, true)] // 1/7 = 0.143
    [InlineData("mse_sum", 0.01, true)] // 1/(100 * 7) = 0.00143
    [InlineData("mse_sum", 0.001, false)]
    public async Task LossNormalisation_FromEditorConfig(string loss, double rate, bool reports)
    {
        var source = OrthogonalRelu($"torch.optim.SGD(model.parameters(), {rate.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        var run = await RunAsync(source, editorConfig: "fpt_learning_rate_loss = " + loss);
        Assert.Equal(reports, run.Diagnostics.Any(d => d.Id == "FPT003"));
        if (reports && loss == "mse_sum") Assert.Contains("= 1/(M lambda_max)", Single(run, "FPT003").GetMessage());
    }

    [Fact]
    public async Task MnistKaimingMlp_LargeRate_ReportsWithEngineBound()
    {
        var source = Sources.Usings + """

            public static class Mnist
            {
                public static void Train()
                {
                    var model = Sequential(Linear(784, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 10));
                    foreach (var (name, p) in model.named_parameters())
                    {
                        if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
                        else init.zeros_(p);
                    }

                    var sgd = torch.optim.SGD(model.parameters(), {|#0:1.0 / 2|});
                }
            }
            """;
        // kaiming_normal_ (ReLU, fan_in): sigma_w^2 = 2 in every layer, including the linear head.
        var net = new NetworkArchitecture(new[] { 784, 256, 256, 10 },
            new[] { new Layer(Activation.Relu, 2, 0), new Layer(Activation.Relu, 2, 0), new Layer(Activation.Identity, 2, 0) });
        double lambdaMax = FisherSpectrum.LargestEigenvalue(net, LearningRateBound.Options());
        Assert.True(1 / lambdaMax < 0.5, $"test premise: the bound 1/{lambdaMax} is below the rate 0.5");
        await VerifyAsync(source, rules: Rules, expected: new Expected("FPT003", "#0", Arguments(0.5, lambdaMax, LossNormalisation.TorchMseLossMean, "1/lambda_max", "mse_loss, mean reduction", 10)));
    }

    [Fact]
    public async Task ModuleSubclass_OptimizerOnInstance_Reports()
    {
        var source = Sources.Usings + """

            public sealed class Net : Module<Tensor, Tensor>
            {
                private readonly Linear fc1 = Linear(100, 100);
                private readonly Linear fc2 = Linear(100, 100);
                private readonly Linear fc3 = Linear(100, 100);

                public Net() : base(nameof(Net))
                {
                    RegisterComponents();
                    foreach (var (name, p) in named_parameters())
                    {
                        if (name.EndsWith("weight")) init.orthogonal_(p, Math.Sqrt(2.0));
                        else init.zeros_(p);
                    }
                }

                public override Tensor forward(Tensor x) => fc3.forward(fc2.forward(fc1.forward(x).relu()).relu());
            }

            public static class Training
            {
                public static void Train()
                {
                    var net = new Net();
                    var optimizer = torch.optim.SGD(net.parameters(), learningRate: {|#0:0.3|});
                }
            }
            """;
        double lambdaMax = FisherSpectrum.LargestEigenvalue(OrthogonalReluArchitecture(), LearningRateBound.Options());
        await VerifyAsync(source, rules: Rules, expected: new Expected("FPT003", "#0", Arguments(0.3, lambdaMax, LossNormalisation.TorchMseLossMean, "1/lambda_max", "mse_loss, mean reduction", 100)));
    }

    [Theory]
    [InlineData("torch.optim.Adam(model.parameters(), lr: 10.0)")]
    [InlineData("torch.optim.RMSProp(model.parameters(), 10.0)")]
    [InlineData("torch.optim.AdamW(model.parameters())")]
    public async Task AdaptiveOptimizers_NotCovered_NoDiagnostic(string optimizer)
    {
        await VerifyAsync(OrthogonalRelu(optimizer), rules: Rules);
    }

    [Fact]
    public async Task SgdWithMomentum_NotChecked_SaysSoInSummary()
    {
        var run = await VerifyAsync(OrthogonalRelu("torch.optim.SGD(model.parameters(), 5.0, momentum: 0.9)"), rules: Rules);
        Assert.Contains("holds for momentum 0 only: not checked", Single(run, "FPT004").GetMessage());
    }

    [Theory]
    [InlineData("-1.0")]
    [InlineData("0")]
    [InlineData("double.NaN")]
    [InlineData("1.0 / 0")]
    [InlineData("double.MaxValue * 10")]
    public async Task OddRates_NoFpt003NoCrash(string rate)
    {
        var run = await RunAsync(OrthogonalRelu($"torch.optim.SGD(model.parameters(), {rate})"));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "FPT003");
    }

    [Fact]
    public async Task NonConstantRate_NoDiagnostic()
    {
        var source = OrthogonalRelu("torch.optim.SGD(model.parameters(), double.Parse(Environment.GetEnvironmentVariable(\"LR\") ?? \"5\"))");
        var run = await VerifyAsync(source, rules: Rules);
        Assert.Contains("(not constant)", Single(run, "FPT004").GetMessage());
    }

    [Fact]
    public async Task NonLinearHead_NotChecked_SaysSoInSummary()
    {
        var source = OrthogonalRelu("torch.optim.SGD(model.parameters(), 5.0)").Replace("ReLU(), Linear(Width, Width));", "ReLU(), Linear(Width, Width), Tanh());");
        var run = await VerifyAsync(source, rules: Rules);
        Assert.Contains("assumes a linear last layer", Single(run, "FPT004").GetMessage());
    }

    [Fact]
    public async Task TorchSharpNotReferenced_NoUsing_NoDiagnostic()
    {
        var source = """
            public static class optim { public static object SGD(object p, double learningRate) => p; }
            public static class Plain
            {
                public static object Linear(int a, int b) => a + b;
                public static object ReLU() => 0;
                public static object Sequential(params object[] m) => m;
                public static void Train()
                {
                    var model = Sequential(Linear(100, 100), ReLU(), Linear(100, 1));
                    var o = optim.SGD(model, 50.0);
                }
            }
            """;
        var run = await RunAsync(source, torchSharp: false);
        Assert.Empty(run.Diagnostics);
    }
}
