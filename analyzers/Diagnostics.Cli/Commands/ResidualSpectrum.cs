using System.Diagnostics;
using System.Globalization;
using Diagnostics.Cli.Formatting;
using Diagnostics.Cli.Plots;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Residual;

namespace Diagnostics.Cli.Commands;

/// <summary><c>fpt spectrum --residual</c>: the universal large-depth law of a residual network's Jacobian.</summary>
internal static class ResidualSpectrum
{
    /// <summary>Runs the residual computation for validated settings; returns the exit code.</summary>
    public static int Execute(SpectrumSettings settings, ResidualArchitecture network, TextWriter stdout, TextWriter stderr)
    {
        return SpectrumCommand.ComputeAndReport(settings, stdout, stderr,
            () =>
            {
                var law = ResidualJacobianSpectrum.Compute(network, settings.Options);
                return (law, settings.Time ? Time(network, settings) : (double?)null);
            },
            (law, path) => ResidualSpectrumPlot.Build(law, settings.YScale).Save(path),
            (law, svg) => ResidualJsonReport.Write(law, settings.IncludeDensity, svg),
            ResidualConsoleReport.Write);
    }

    /// <summary>Median wall time of the computation in ms: 7 timed runs, or as many as fit in about 2 s (at most 1000).</summary>
    private static double Time(ResidualArchitecture network, SpectrumSettings settings)
    {
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 7 || (total.Elapsed.TotalSeconds < 2 && times.Count < 1000))
        {
            var sw = Stopwatch.StartNew();
            var law = ResidualJacobianSpectrum.Compute(network, settings.Options);
            sw.Stop();
            GC.KeepAlive(law);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    }
}
