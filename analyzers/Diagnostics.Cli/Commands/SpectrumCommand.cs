using Spectre.Console;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Diagnostics.Cli.Formatting;
using Diagnostics.Cli.Plots;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Cli.Commands;

/// <summary><c>fpt spectrum</c>: the limiting law of the squared singular values of a network's input-output Jacobian.</summary>
internal static class SpectrumCommand
{
    public const string Description =
        "Limiting law (infinite width) of the squared singular values of the input-output Jacobian J of a fully connected "
        + "network at initialisation: atom at zero, mean, moments, support, deciles, per-layer q and chi, and the "
        + "vanishing/critical/exploding regime. With --residual: the universal large-depth law of a residual network "
        + "x^l = phi(W^l x^(l-1) + b^l) + a x^(l-1) (Tarnowski et al. 2019) and its effective cumulant. "
        + "Prints tables and writes an SVG plot of the density, or one JSON object with --json. "
        + "Exit codes: 0 success; 1 an output file could not be written; 2 invalid arguments; "
        + "3 valid input but the spectral engine could not certify a result (convergence failure).";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var widths = new Option<string>("--widths")
        {
            Description = "Layer widths N_0,...,N_L, comma-separated (input first), e.g. 784,512,256,10. Required unless --residual.",
            HelpName = "n0,n1,...",
        };
        var activation = new Option<string>("--activation")
        {
            Description = "Activation of every layer, or a comma list with one per layer: "
                + string.Join(", ", Activation.CanonicalNames) + ".",
            HelpName = "name[,name...]",
            Required = true,
        };
        var lastActivation = new Option<string>("--last-activation")
        {
            Description = "Activation of the last layer (default: --activation). Not needed with a per-layer --activation list.",
            HelpName = "name",
        };
        var weightVariance = new Option<string>("--weight-variance")
        {
            Description = "sigma_w^2 (> 0): Gaussian weights have variance sigma_w^2/fan_in; one value or one per layer.",
            HelpName = "v[,v...]",
            Required = true,
        };
        var biasVariance = new Option<string>("--bias-variance")
        {
            Description = "sigma_b^2 (>= 0) of the biases; one value or one per layer.",
            HelpName = "v[,v...]",
            DefaultValueFactory = _ => "0",
        };
        var init = new Option<string>("--init")
        {
            Description = "Weight law: gaussian or orthogonal (W = sigma_w Q); one value or one per layer.",
            HelpName = "gaussian|orthogonal",
            DefaultValueFactory = _ => "gaussian",
        };
        var inputVariance = new Option<string>("--input-variance")
        {
            Description = "q_0 (> 0), the variance of the input entries.",
            HelpName = "q0",
            DefaultValueFactory = _ => "1",
        };
        var slope = new Option<string>("--slope")
        {
            Description = "Negative slope of leaky_relu (>= 0).",
            HelpName = "s",
            DefaultValueFactory = _ => Activation.DefaultLeakySlope.ToString(CultureInfo.InvariantCulture),
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables (no SVG unless --svg is given)." };
        var density = new Option<bool>("--density") { Description = "With --json: add the density grid (\"density\": {\"x\": [...], \"density\": [...]})." };
        var svg = new Option<string>("--svg")
        {
            Description = $"Write the SVG density plot to this file (default without --json: {SpectrumSettings.DefaultSvgFile} in the current directory).",
            HelpName = "file",
        };
        var noSvg = new Option<bool>("--no-svg") { Description = "Do not write the SVG plot." };
        var yScale = new Option<string>("--y-scale")
        {
            Description = "y axis of the plot: auto (log when the density spans many decades), linear or log.",
            HelpName = "auto|linear|log",
            DefaultValueFactory = _ => "auto",
        };
        var gridPoints = new Option<string>("--grid-points")
        {
            Description = "Points of the density grid (10 to 1000000).",
            HelpName = "n",
            DefaultValueFactory = _ => "400",
        };
        var time = new Option<bool>("--time")
        {
            Description = "Time the computation: one warm-up, then at least 7 runs (more, up to about 2 s, when fast); "
                + "prints the median in-process time to stderr as compute_ms=<value>.",
        };

        var residual = new Option<bool>("--residual")
        {
            Description = "Residual network x^l = phi(W^l x^(l-1) + b^l) + a x^(l-1) of --depth L blocks of --width N, weights of variance "
                + "sigma_W^2/(L N) (--weight-variance is sigma_W^2): the universal large-depth law of Tarnowski et al. (2019, eq. 25).",
        };
        var skipScale = new Option<string>("--skip-scale")
        {
            Description = "With --residual: the skip-connection scale a (> 0; default 1).",
            HelpName = "a",
        };
        var depthOption = new Option<string>("--depth")
        {
            Description = "With --residual: the number L of residual blocks.",
            HelpName = "L",
        };
        var widthOption = new Option<string>("--width")
        {
            Description = "With --residual: the width N of every block.",
            HelpName = "N",
        };

        var command = new Command("spectrum", Description)
        {
            widths, activation, lastActivation, weightVariance, biasVariance, init, inputVariance, slope,
            json, density, svg, noSvg, yScale, gridPoints, time, residual, skipScale, depthOption, widthOption,
        };
        command.SetAction(parse => Execute(new SpectrumInput
        {
            Widths = parse.GetValue(widths),
            Activation = parse.GetValue(activation),
            LastActivation = parse.GetValue(lastActivation),
            WeightVariance = parse.GetValue(weightVariance),
            BiasVariance = parse.GetValue(biasVariance)!,
            Init = parse.GetValue(init)!,
            InputVariance = parse.GetValue(inputVariance)!,
            Slope = parse.GetValue(slope)!,
            Json = parse.GetValue(json),
            Density = parse.GetValue(density),
            Svg = parse.GetValue(svg),
            NoSvg = parse.GetValue(noSvg),
            YScale = parse.GetValue(yScale)!,
            GridPoints = parse.GetValue(gridPoints)!,
            Time = parse.GetValue(time),
            Residual = parse.GetValue(residual),
            SkipScale = parse.GetValue(skipScale),
            Depth = parse.GetValue(depthOption),
            Width = parse.GetValue(widthOption),
        }, stdout, stderr));
        return command;
    }

    /// <summary>Runs the command on already-read option values; returns the exit code.</summary>
    /// <param name="input">Option values as typed.</param>
    /// <param name="stdout">Where the report goes.</param>
    /// <param name="stderr">Where errors and the timing line go.</param>
    /// <param name="compute">The engine call (tests substitute it); default <see cref="JacobianSpectrum.Compute(NetworkArchitecture, SpectrumOptions)"/>.</param>
    public static int Execute(SpectrumInput input, TextWriter stdout, TextWriter stderr,
        Func<NetworkArchitecture, SpectrumOptions, SquaredSingularValueLaw>? compute = null)
    {
        compute ??= JacobianSpectrum.Compute;
        SpectrumSettings settings;
        try
        {
            settings = SpectrumSettings.Parse(input);
        }
        catch (UsageException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }

        if (settings.Residual != null) return ResidualSpectrum.Execute(settings, settings.Residual, stdout, stderr);

        return ComputeAndReport(settings, stdout, stderr,
            () =>
            {
                var law = compute(settings.Network!, settings.Options);
                return (law, settings.Time ? Time(settings, law, compute) : (double?)null);
            },
            (law, path) => SpectrumPlot.Build(law, settings.YScale).Save(path),
            (law, svg) => JsonReport.Write(law, settings.IncludeDensity, svg),
            ConsoleReport.Write);
    }

    /// <summary>
    /// The flow shared by every law the command prints: compute (typed engine failures become exit codes 2 and 3), write
    /// the plot if asked, print JSON or the readable report, then the timing line.
    /// </summary>
    internal static int ComputeAndReport<TLaw>(SpectrumSettings settings, TextWriter stdout, TextWriter stderr,
        Func<(TLaw Law, double? MedianMs)> compute, Action<TLaw, string> savePlot, Func<TLaw, string?, string> json,
        Action<IAnsiConsole, TLaw, string?> readable)
    {
        TLaw law;
        double? medianMs;
        try
        {
            (law, medianMs) = compute();
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
            if (settings.SvgPath != null) savePlot(law, settings.SvgPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Program.Fail(stderr, $"could not write '{settings.SvgPath}': {ex.Message}", ExitCodes.Failure);
        }

        string? svgShown = settings.SvgPath == null ? null : Path.GetFullPath(settings.SvgPath);
        if (settings.Json)
            stdout.WriteLine(json(law, svgShown));
        else
            readable(ConsoleReport.CreateConsole(stdout), law, svgShown);

        if (medianMs is double ms)
            stderr.WriteLine("compute_ms=" + ms.ToString("0.000", CultureInfo.InvariantCulture));
        stdout.Flush();
        stderr.Flush();
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Median wall time of <see cref="JacobianSpectrum.Compute(NetworkArchitecture, SpectrumOptions)"/> in milliseconds,
    /// after the run that produced <paramref name="warmUp"/>: 7 timed runs, or as many as fit in about 2 s (at most 1000).
    /// </summary>
    private static double Time(SpectrumSettings settings, SquaredSingularValueLaw warmUp,
        Func<NetworkArchitecture, SpectrumOptions, SquaredSingularValueLaw> compute)
    {
        GC.KeepAlive(warmUp);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 7 || (total.Elapsed.TotalSeconds < 2 && times.Count < 1000))
        {
            var sw = Stopwatch.StartNew();
            var law = compute(settings.Network!, settings.Options);
            sw.Stop();
            GC.KeepAlive(law);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        int n = times.Count;
        return n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    }
}
