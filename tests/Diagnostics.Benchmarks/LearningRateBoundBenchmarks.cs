using BenchmarkDotNet.Attributes;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Per-model analysis time with rule FPT003: 20 layers of Linear(256, 256), weights N(0, 2/256), trained by
/// SGD(model.parameters(), 1e4) (above the bound), so the analysis computes lambda_max of the Fisher information as well as the Jacobian
/// spectrum. Cold clears both caches.
/// </summary>
[MemoryDiagnoser]
public class LearningRateBoundBenchmarks
{
    [Params("ReLU()", "Tanh()")]
    public string Activation { get; set; } = "ReLU()";

    private InvocationExpressionSyntax _model = null!;
    private SemanticModel _semantic = null!;
    private readonly AnalyzerSettings _settings = new AnalyzerSettings().WithTimeBudget(TimeSpan.FromMinutes(10));

    /// <summary>
    /// Weights N(0, 2/256) (sigma_w^2 = 2, critical for ReLU) and default biases: the Fisher engine does not locate lambda_max
    /// of the 20-layer ReLU network on TorchSharp's default weights ("real branch not decreasing at its start").
    /// </summary>
    public static string Source(string activation) =>
        AnalyzerBenchmarks.Source(activation).Replace("        return model;",
            "        foreach (var (name, p) in model.named_parameters()) { if (name.EndsWith(\"weight\")) init.normal_(p, 0.0, 0.08838834764831845); }\n"
            + "        var optimizer = torch.optim.SGD(model.parameters(), 1e4);\n        return model;");

    [GlobalSetup]
    public void Setup()
    {
        var tree = CSharpSyntaxTree.ParseText(Source(Activation));
        _semantic = CSharpCompilation.Create("Bench", new[] { tree }).GetSemanticModel(tree);
        _model = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().First(i => TorchCallResolver.InvokedName(i) == "Sequential");
    }

    [IterationSetup(Target = nameof(Cold))]
    public void ClearCaches()
    {
        SpectrumCache.Clear();
        LearningRateBound.Clear();
    }

    [Benchmark]
    public int Cold() => AnalyzeOnce();

    [Benchmark]
    public int Cached() => AnalyzeOnce();

    /// <summary>Extraction, mapping, lambda_max, spectrum (cached or not) and diagnostics of one model; returns the FPT003 count.</summary>
    public int AnalyzeOnce()
    {
        var extractor = new ModelExtractor(new TorchCallResolver(_semantic, torchSharpReferenced: false, CancellationToken.None));
        var model = extractor.FromSequential(_model) ?? throw new InvalidOperationException("model not found");
        return ModelAnalysis.Analyze(model, _settings, CancellationToken.None).Count(d => d.Id == "FPT003");
    }

    /// <summary>Stopwatch numbers without BenchmarkDotNet: median cold and cached analysis, and lambda_max alone (cold), in ms.</summary>
    public static (double ColdMs, double CachedMs, double LambdaMaxMs) Stopwatch(string activation, int coldRuns, int cachedRuns)
    {
        var bench = new LearningRateBoundBenchmarks { Activation = activation };
        bench.Setup();
        if (bench.AnalyzeOnce() != 1) throw new InvalidOperationException("expected one FPT003");
        var cold = new List<double>();
        var lambda = new List<double>();
        for (int i = 0; i < coldRuns; i++)
        {
            bench.ClearCaches();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bench.AnalyzeOnce();
            cold.Add(sw.Elapsed.TotalMilliseconds);
            var extractor = new ModelExtractor(new TorchCallResolver(bench._semantic, false, CancellationToken.None));
            var network = ArchitectureMapper.Map(extractor.FromSequential(bench._model)!, 1).Network!;
            sw.Restart();
            Diagnostics.Spectra.Fisher.FisherSpectrum.LargestEigenvalue(network, LearningRateBound.Options());
            lambda.Add(sw.Elapsed.TotalMilliseconds);
        }

        var cached = new List<double>();
        for (int i = 0; i < cachedRuns; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bench.AnalyzeOnce();
            cached.Add(sw.Elapsed.TotalMilliseconds);
        }

        return (Median(cold), Median(cached), Median(lambda));
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs[xs.Count / 2];
    }
}
