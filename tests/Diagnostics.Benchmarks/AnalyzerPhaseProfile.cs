using System.Diagnostics;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Where a cold analysis of the AnalyzerBenchmarks model goes, phase by phase, single-threaded (the analyzer runs the
/// critical value alongside the spectrum): mean field, D^2 laws, the spectrum with the analyzer's options, the critical
/// weight variance. Medians of cold runs (caches cleared before each).
/// </summary>
public static class AnalyzerPhaseProfile
{
    public static NetworkArchitecture Network(string activation)
    {
        var tree = CSharpSyntaxTree.ParseText(AnalyzerBenchmarks.Source(activation));
        var semantic = CSharpCompilation.Create("Bench", new[] { tree }).GetSemanticModel(tree);
        var node = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().First(i => TorchCallResolver.InvokedName(i) == "Sequential");
        var model = new ModelExtractor(new TorchCallResolver(semantic, torchSharpReferenced: false, CancellationToken.None)).FromSequential(node)!;
        return ArchitectureMapper.Map(model, new AnalyzerSettings().InputVariance).Network!;
    }

    public static void Print(string activation, int runs)
    {
        var network = Network(activation);
        var options = SpectrumCache.Options();
        var (phi, bias) = (network.Layers[0].Activation, network.Layers[0].BiasVariance);
        var phases = new Dictionary<string, List<double>>();
        void Time(string name, Action action)
        {
            var sw = Stopwatch.StartNew();
            action();
            if (!phases.TryGetValue(name, out var list)) phases[name] = list = new List<double>();
            list.Add(sw.Elapsed.TotalMilliseconds);
        }

        SquaredSingularValueLaw? law = null;
        for (int run = 0; run <= runs; run++)
        {
            if (run == 1) phases.Clear(); // run 0 is the JIT
            AnalyzerBenchmarks.ClearCaches();
            SignalPropagationResult? propagation = null;
            Time("mean field", () => propagation = SignalPropagation.Compute(network));
            AnalyzerBenchmarks.ClearCaches();
            Time("D^2 laws", () =>
            {
                for (int l = 0; l < network.Depth; l++) DerivativeLaw.For(network.Layers[l].Activation, propagation!.Q[l], options.SmoothActivationAtoms);
            });
            AnalyzerBenchmarks.ClearCaches();
            Time("spectrum (all)", () => law = JacobianSpectrum.Compute(network, options));
            AnalyzerBenchmarks.ClearCaches();
            Time("critical value", () => CriticalGain.AtFixedPoint(phi, bias));
            if (phi.Kind != ActivationKind.Relu && phi.Kind != ActivationKind.Softplus)
            {
                AnalyzerBenchmarks.ClearCaches();
                Time("  critical line", () => CriticalGain.OnCriticalLine(phi, bias));
                AnalyzerBenchmarks.ClearCaches();
                Time("  escape from 1", () => CriticalGain.AtEscapeFromOne(phi, bias));
            }

            AnalyzerBenchmarks.ClearCaches();
            Time("E[phi^2] at q*", () => ActivationMoments.SecondMoment(phi, propagation!.Q[network.Depth - 2]));
            AnalyzerBenchmarks.ClearCaches();
            Time("E[phi'^2] at q*", () => ActivationMoments.DerivativeSecondMoment(phi, propagation!.Q[network.Depth - 2]));
        }

        Console.WriteLine($"{activation}: sigma_w^2 {network.Layers[0].WeightVariance:g4}, sigma_b^2 {bias:g4}, basin tests {law!.Certifications}, q {string.Join(" ", law.Propagation.Q.Select(q => q.ToString("g3")))}");
        Console.WriteLine("  atoms per layer " + string.Join(" ", law.DerivativeLaws.Select(d => d.Values.Length)));
        var q = law.Propagation.Q;
        Console.WriteLine("  |q_l+1 / q_l - 1| " + string.Join(" ", Enumerable.Range(0, q.Length - 1).Select(l => Math.Abs(q[l + 1] / q[l] - 1).ToString("g2"))));
        foreach (var (name, list) in phases)
        {
            list.Sort();
            Console.WriteLine($"  {name,-18} {list[list.Count / 2],9:F3} ms (min {list[0]:F3})");
        }
    }
}
