using Diagnostics.Benchmarks;

// `stopwatch ACT...`: cold/cached medians of the analyzer path (AnalyzerBenchmarks.Stopwatch) without BenchmarkDotNet;
// `phases ACT...`: where a cold analysis spends its time. ACT is a TorchSharp call such as Tanh() or GELU().
// `lr-stopwatch ACT...`: the same for the FPT003 model (LearningRateBoundBenchmarks.Stopwatch), with lambda_max alone.
// Run them with DOTNET_TieredCompilation=0: under tiering the same cold median moved 12-47 ms between processes.
if (args.Length > 0 && args[0] == "pooling")
{
    foreach (var activation in args.Skip(2)) PoolingExperiment.Run(activation, args[1].Split(',').Select(double.Parse).ToArray());
    return;
}

if (args.Length > 0 && args[0] == "lr-stopwatch")
{
    int cold = int.TryParse(Environment.GetEnvironmentVariable("COLD_RUNS"), out var c) ? c : 7;
    foreach (var activation in args.Skip(1))
    {
        var (coldMs, cachedMs, lambdaMs) = LearningRateBoundBenchmarks.Stopwatch(activation, cold, 21);
        Console.WriteLine($"{activation,-12} cold {coldMs,8:F2} ms  cached {cachedMs,6:F3} ms  lambda_max alone {lambdaMs,7:F2} ms  (median of {cold} cold, 21 cached)");
    }

    return;
}

if (args.Length > 0 && (args[0] == "stopwatch" || args[0] == "phases"))
{
    int cold = int.TryParse(Environment.GetEnvironmentVariable("COLD_RUNS"), out var c) ? c : 7;
    foreach (var activation in args.Skip(1))
    {
        if (args[0] == "phases")
        {
            AnalyzerPhaseProfile.Print(activation, cold);
            continue;
        }

        var (coldMs, cachedMs) = AnalyzerBenchmarks.Stopwatch(activation, cold, 21);
        Console.WriteLine($"{activation,-12} cold {coldMs,8:F2} ms  cached {cachedMs,6:F3} ms  (median of {cold} cold, 21 cached)");
    }

    return;
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
