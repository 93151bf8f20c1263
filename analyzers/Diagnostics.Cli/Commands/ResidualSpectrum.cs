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
        ResidualJacobianLaw law;
        double? medianMs = null;
        try
        {
            law = ResidualJacobianSpectrum.Compute(network, settings.Options);
            if (settings.Time) medianMs = Time(network, settings);
        }
        catch (InvalidArchitectureException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }
        catch (SpectralException ex)
        {
            return Program.Fail(stderr, "the spectral engine did not converge: " + ex.Message, ExitCodes.Convergence);
        }

        try
        {
            if (settings.SvgPath != null) ResidualSpectrumPlot.Build(law, settings.YScale).Save(settings.SvgPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Program.Fail(stderr, $"could not write '{settings.SvgPath}': {ex.Message}", ExitCodes.Failure);
        }

        string? svgShown = settings.SvgPath == null ? null : Path.GetFullPath(settings.SvgPath);
        if (settings.Json)
            stdout.WriteLine(ResidualJsonReport.Write(law, settings.IncludeDensity, svgShown));
        else
            ResidualConsoleReport.Write(ConsoleReport.CreateConsole(stdout), law, svgShown);

        if (medianMs is double ms)
            stderr.WriteLine("compute_ms=" + ms.ToString("0.000", CultureInfo.InvariantCulture));
        stdout.Flush();
        stderr.Flush();
        return ExitCodes.Ok;
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
