using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Per-model analysis time of the Roslyn analyzer: read a 20-layer TorchSharp Sequential out of a parsed file (syntax
/// fallback, no references), map it to the engine and compute its spectrum and diagnostics, on a cold cache (spectra and
/// critical weight variances cleared before every iteration) and on a warm one. Targets (issue 4): under 20 ms cold,
/// under 1 ms cached. Stopwatch medians are in docs/engine/README.md (Speed).
/// Run: dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter *AnalyzerBenchmarks*
/// </summary>
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    [Params("ReLU()", "Tanh()", "GELU()", "SiLU()", "Sigmoid()", "Softplus()")]
    public string Activation { get; set; } = "ReLU()";

    private InvocationExpressionSyntax _model = null!;
    private SemanticModel _semantic = null!;
    private readonly AnalyzerSettings _settings = new AnalyzerSettings().WithTimeBudget(TimeSpan.FromMinutes(10));

    /// <summary>A file with Sequential(Linear(256, 256), activation, ... 20 layers) on TorchSharp's defaults.</summary>
    public static string Source(string activation, int depth = 20)
    {
        var layers = new StringBuilder();
        for (int l = 0; l < depth; l++)
        {
            if (l > 0) layers.Append(", ");
            layers.Append("Linear(256, 256)");
            if (l < depth - 1) layers.Append(", ").Append(activation);
        }

        return "using TorchSharp;\nusing static TorchSharp.torch.nn;\npublic static class Models\n{\n    public static object Build()\n    {\n        var model = Sequential("
            + layers + ");\n        return model;\n    }\n}\n";
    }

    [GlobalSetup]
    public void Setup()
    {
        var tree = CSharpSyntaxTree.ParseText(Source(Activation));
        _semantic = CSharpCompilation.Create("Bench", new[] { tree }).GetSemanticModel(tree);
        _model = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().First(i => TorchCallResolver.InvokedName(i) == "Sequential");
    }

    [IterationSetup(Target = nameof(Cold))]
    public void ClearCache() => ClearCaches();

    /// <summary>Empties the spectrum cache and the engine's cache of critical weight variances.</summary>
    public static void ClearCaches()
    {
        SpectrumCache.Clear();
        Diagnostics.Spectra.MeanField.CriticalGain.ClearCache();
    }

    [Benchmark]
    public int Cold() => AnalyzeOnce();

    [Benchmark]
    public int Cached() => AnalyzeOnce();

    /// <summary>Extraction, mapping, spectrum (cached or not) and diagnostics of one model.</summary>
    public int AnalyzeOnce()
    {
        var extractor = new ModelExtractor(new TorchCallResolver(_semantic, torchSharpReferenced: false, CancellationToken.None));
        var model = extractor.FromSequential(_model) ?? throw new InvalidOperationException("model not found");
        return ModelAnalysis.Analyze(model, _settings, CancellationToken.None).Count();
    }

    /// <summary>Stopwatch numbers without BenchmarkDotNet: median of cold and cached runs in milliseconds.</summary>
    public static (double ColdMs, double CachedMs) Stopwatch(string activation, int coldRuns, int cachedRuns)
    {
        var bench = new AnalyzerBenchmarks { Activation = activation };
        bench.Setup();
        bench.AnalyzeOnce(); // JIT
        var cold = new List<double>();
        for (int i = 0; i < coldRuns; i++)
        {
            ClearCaches();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bench.AnalyzeOnce();
            cold.Add(sw.Elapsed.TotalMilliseconds);
        }

        var cached = new List<double>();
        for (int i = 0; i < cachedRuns; i++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            bench.AnalyzeOnce();
            cached.Add(sw.Elapsed.TotalMilliseconds);
        }

        return (Median(cold), Median(cached));
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs[xs.Count / 2];
    }
}
