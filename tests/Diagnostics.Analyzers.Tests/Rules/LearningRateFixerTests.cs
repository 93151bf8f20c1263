using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.CodeFixes.Rules;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;
using static Diagnostics.Analyzers.Tests.Harness.CodeFixHarness;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>The "set a stable learning rate" fix of FPT003: before/after with trivia, configurable fraction, idempotence, FixAll.</summary>
public sealed class LearningRateFixerTests
{
    private static string Training(string name, string rate) => $$"""
            public static void {{name}}()
            {
                var model = Sequential(Linear(100, 100), ReLU(), Linear(100, 100), ReLU(), Linear(100, 100));
                foreach (var (n, p) in model.named_parameters())
                {
                    if (n.EndsWith("weight")) init.orthogonal_(p, gain: Math.Sqrt(2.0));
                    else init.zeros_(p);
                }

                var optimizer = torch.optim.SGD(model.parameters(), learningRate: {{rate}}, weight_decay: 0);
            }
        """;

    private static string Wrap(params string[] methods) => Sources.Usings + "\n\npublic static class Models\n{\n" + string.Join("\n\n", methods) + "\n}\n";

    /// <summary>The suggested rate for this network: fraction x 1/lambda_max (mse_loss, mean), rounded down to 3 digits, from the engine.</summary>
    private static string Suggested(double fraction)
    {
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(100, 4).ToArray(), Activation.Relu, 2, 0, WeightDistribution.Orthogonal, Activation.Identity, 1);
        double bound = FisherSpectrum.MaxStableLearningRate(net, LossNormalisation.TorchMseLossMean, LearningRateBound.Options());
        return LearningRateBound.Literal(LearningRateBound.Suggest(fraction * bound));
    }

    private static async Task AssertNoFpt003Async(IEnumerable<string> sources, bool torchSharp, string? editorConfig = null)
    {
        var diagnostics = await DiagnosticsAsync(sources, torchSharp, editorConfig);
        Assert.DoesNotContain(diagnostics, d => d.Id == "FPT003");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LargeRate_FixWritesHalfTheBound_TriviaKept(bool torchSharp)
    {
        var before = Wrap(Training("Train", "/* tuned by hand */ 5.0 /* per step */"));
        var fixedText = await ApplyFirstFixAsync(before, new LearningRateFixer(), LearningRateFixer.EquivalenceKey, torchSharp);
        // 0.5 / 7 (Theorem 3.2's lambda_max) = 0.0714...
        Assert.Equal("0.0714", Suggested(0.5));
        Assert.Equal(before.Replace("5.0 /* per step */", Suggested(0.5) + " /* per step */"), fixedText);
        await AssertNoFpt003Async(new[] { fixedText }, torchSharp);
        if (torchSharp) Assert.Empty((await AnalyzerHarness.RunAsync(fixedText)).CompilerErrors);
    }

    [Fact]
    public async Task Fraction_FromEditorConfig()
    {
        const string config = "fpt_learning_rate_fix_fraction = 0.9";
        var before = Wrap(Training("Train", "5.0"));
        var fixedText = await ApplyFirstFixAsync(before, new LearningRateFixer(), LearningRateFixer.EquivalenceKey, editorConfig: config);
        Assert.Equal(before.Replace("learningRate: 5.0", "learningRate: " + Suggested(0.9)), fixedText);
        await AssertNoFpt003Async(new[] { fixedText }, torchSharp: true, config);
    }

    [Fact]
    public async Task ConstantExpression_ReplacedByLiteral()
    {
        var before = Wrap(Training("Train", "Math.Sqrt(4.0) * 2"));
        var fixedText = await ApplyFirstFixAsync(before, new LearningRateFixer(), LearningRateFixer.EquivalenceKey);
        Assert.Contains("learningRate: " + Suggested(0.5) + ", weight_decay: 0", fixedText);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task FixAll_FixesEveryOptimizer(FixAllScope scope)
    {
        var first = Wrap(Training("TrainA", "5.0"), Training("TrainB", "0.25"), Training("TrainC", "0.01"));
        var second = Wrap(Training("TrainD", "1.0"));
        var texts = await FixAllAsync(new[] { first, second }, scope, new LearningRateFixer(), LearningRateFixer.EquivalenceKey);
        var s = Suggested(0.5);
        Assert.Equal(first.Replace("learningRate: 5.0", "learningRate: " + s).Replace("learningRate: 0.25", "learningRate: " + s), texts[0]);
        Assert.Equal(scope == FixAllScope.Document ? second : second.Replace("learningRate: 1.0", "learningRate: " + s), texts[1]);
        Assert.Contains("learningRate: 0.01", texts[0]); // below the bound: untouched
        if (scope != FixAllScope.Document) await AssertNoFpt003Async(texts, torchSharp: true);
    }
}
