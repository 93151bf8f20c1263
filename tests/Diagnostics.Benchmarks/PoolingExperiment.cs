using System.Diagnostics;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Benchmarks;

public static class PoolingExperiment
{
    public static void Run(string activation, double[] budgets)
    {
        var network = AnalyzerPhaseProfile.Network(activation);
        SquaredSingularValueLaw? baseline = null;
        foreach (var budget in budgets)
        {
            var options = SpectrumCache.Options();
            options.ConcentratedLawVariance = budget;
            JacobianSpectrum.Compute(network, options);
            var sw = Stopwatch.StartNew();
            var law = JacobianSpectrum.Compute(network, options);
            double ms = sw.Elapsed.TotalMilliseconds;
            baseline ??= law;
            double worst = 0;
            foreach (var (level, q) in law.QuantilesNonZero()) worst = Math.Max(worst, Math.Abs(baseline.CdfNonZero(q) - level));
            double moment = 0;
            for (int k = 0; k < law.Moments.Count; k++) moment = Math.Max(moment, Math.Abs(law.Moments[k] / baseline.Moments[k] - 1));
            Console.WriteLine($"{activation,-10} budget {budget,-6:g3} {ms,8:F1} ms  tests {law.Certifications,6}  level err vs budget 0: {worst:g3}  moments {moment:g3}");
        }
    }
}
