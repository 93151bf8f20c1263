using System.Globalization;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Residual;

namespace Diagnostics.Cli.Commands;

/// <summary>How the y axis of the density plot is scaled.</summary>
internal enum YScale
{
    /// <summary>Logarithmic when the density spans more than three decades over the plotted range, else linear.</summary>
    Auto,
    Linear,
    Log,
}

/// <summary>The raw option values of <c>fpt spectrum</c>, as typed (numbers and lists still text).</summary>
internal sealed record SpectrumInput
{
    public string? Widths { get; init; }
    public string? Activation { get; init; }
    public string? LastActivation { get; init; }
    public string? WeightVariance { get; init; }
    public string BiasVariance { get; init; } = "0";
    public string Init { get; init; } = "gaussian";
    public string InputVariance { get; init; } = "1";
    public string Slope { get; init; } = Spectra.Architecture.Activation.DefaultLeakySlope.ToString(CultureInfo.InvariantCulture);
    public string GridPoints { get; init; } = "400";
    public string YScale { get; init; } = "auto";
    public bool Json { get; init; }
    public bool Density { get; init; }
    public string? Svg { get; init; }
    public bool NoSvg { get; init; }
    public bool Time { get; init; }
    public bool Residual { get; init; }
    public string? SkipScale { get; init; }
    public string? Depth { get; init; }
    public string? Width { get; init; }
}

/// <summary>
/// The validated settings of one <c>fpt spectrum</c> run: the network and the engine options.
/// <see cref="Parse"/> throws <see cref="UsageException"/> (one line, exit code 2) on any invalid value.
/// </summary>
internal sealed class SpectrumSettings
{
    /// <summary>Default SVG file, in the current directory, when <c>--svg</c> is not given (readable output only).</summary>
    public const string DefaultSvgFile = "spectrum.svg";

    private SpectrumSettings(NetworkArchitecture? network, ResidualArchitecture? residual, SpectrumOptions options, bool json, bool density, string? svgPath, bool time, YScale yScale)
    {
        Network = network;
        Residual = residual;
        Options = options;
        Json = json;
        IncludeDensity = density;
        SvgPath = svgPath;
        Time = time;
        YScale = yScale;
    }

    /// <summary>The fully connected network; null with <c>--residual</c>.</summary>
    public NetworkArchitecture? Network { get; }

    /// <summary>The residual network of <c>--residual</c>; null otherwise.</summary>
    public ResidualArchitecture? Residual { get; }

    public SpectrumOptions Options { get; }

    public bool Json { get; }

    public bool IncludeDensity { get; }

    /// <summary>Where to write the SVG plot; null for none.</summary>
    public string? SvgPath { get; }

    public bool Time { get; }

    public YScale YScale { get; }

    public static SpectrumSettings Parse(SpectrumInput input)
    {
        if (input.Residual) return ParseResidual(input);
        if (input.SkipScale != null || input.Depth != null || input.Width != null)
        {
            string given = input.SkipScale != null ? "--skip-scale" : input.Depth != null ? "--depth" : "--width";
            throw new UsageException($"{given} describes a residual network; add --residual (a fully connected network takes --widths)");
        }

        var widths = ParseWidths(input.Widths ?? throw new UsageException("option '--widths' is required"));
        int depth = widths.Length - 1;
        string shape = string.Join(",", widths.Select(w => w.ToString(CultureInfo.InvariantCulture)));

        double slope = ParseNumber(input.Slope, "--slope");
        if (slope < 0) throw new UsageException($"leaky ReLU slope (--slope) must be >= 0, got {Show(slope)}");

        var activationNames = SplitList(input.Activation ?? throw new UsageException("option '--activation' is required"), "--activation");
        CheckCount(activationNames.Length, depth, "--activation", shape);
        var activations = activationNames.Select(name => ParseActivation(name, slope)).ToArray();
        if (!string.IsNullOrWhiteSpace(input.LastActivation))
        {
            if (activations.Length > 1 && depth > 1)
                throw new UsageException("--last-activation cannot be combined with a per-layer --activation list (the list already names the last layer)");
            var last = ParseActivation(input.LastActivation.Trim(), slope);
            activations = Expand(activations, depth);
            activations[depth - 1] = last;
        }

        var weightVariances = ParseVariances(input.WeightVariance ?? throw new UsageException("option '--weight-variance' is required"),
            "--weight-variance", "weight variance", depth, shape, allowZero: false);
        var biasVariances = ParseVariances(input.BiasVariance, "--bias-variance", "bias variance", depth, shape, allowZero: true);

        var initNames = SplitList(input.Init, "--init");
        CheckCount(initNames.Length, depth, "--init", shape);
        var inits = initNames.Select(ParseInit).ToArray();

        double inputVariance = ParseNumber(input.InputVariance, "--input-variance");
        if (!(inputVariance > 0)) throw new UsageException($"input variance must be > 0, got {Show(inputVariance)}");

        int gridPoints = ParseInteger(input.GridPoints, "--grid-points");
        if (gridPoints < 10 || gridPoints > 1_000_000)
            throw new UsageException($"--grid-points must be between 10 and 1000000, got {gridPoints}");

        var yScale = input.YScale.Trim().ToLowerInvariant() switch
        {
            "auto" => Commands.YScale.Auto,
            "linear" or "lin" => Commands.YScale.Linear,
            "log" => Commands.YScale.Log,
            _ => throw new UsageException($"--y-scale must be auto, linear or log, got '{input.YScale}'"),
        };

        activations = Expand(activations, depth);
        weightVariances = Expand(weightVariances, depth);
        biasVariances = Expand(biasVariances, depth);
        inits = Expand(inits, depth);
        var layers = new Layer[depth];
        for (int l = 0; l < depth; l++) layers[l] = new Layer(activations[l], weightVariances[l], biasVariances[l], inits[l]);

        NetworkArchitecture network;
        try
        {
            network = new NetworkArchitecture(widths, layers, inputVariance);
        }
        catch (InvalidArchitectureException ex)
        {
            throw new UsageException(ex.Message.TrimEnd('.'));
        }

        string? svg = null;
        if (input.Svg != null)
        {
            if (input.Svg.Trim().Length == 0) throw new UsageException("--svg needs a file name");
            if (input.NoSvg) throw new UsageException("--svg and --no-svg cannot be combined");
            svg = input.Svg;
        }
        else if (!input.Json && !input.NoSvg)
        {
            svg = DefaultSvgFile;
        }

        if (input.Density && !input.Json) throw new UsageException("--density adds the density arrays to the JSON output; use it with --json");

        var options = new SpectrumOptions { GridPoints = gridPoints };
        return new SpectrumSettings(network, null, options, input.Json, input.Density, svg, input.Time, yScale);
    }

    /// <summary>
    /// <c>--residual</c>: x^l = phi(W^l x^{l-1} + b^l) + a x^{l-1}, L blocks of width N, weights of variance sigma_W^2/(L N).
    /// One activation and one value per option (the universal law assumes identical blocks).
    /// </summary>
    private static SpectrumSettings ParseResidual(SpectrumInput input)
    {
        if (input.Widths != null)
            throw new UsageException("--residual takes --depth L and --width N instead of --widths (all residual blocks have the same width)");
        if (!string.IsNullOrWhiteSpace(input.LastActivation))
            throw new UsageException("--last-activation cannot be combined with --residual (every residual block has the same activation)");
        if (!string.Equals(input.Init.Trim(), "gaussian", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(input.Init.Trim(), "normal", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--residual supports gaussian weights only (--init {input.Init.Trim()} is not covered by the universal law)");
        if (input.Depth == null) throw new UsageException("--residual needs --depth L (the number of residual blocks)");
        if (input.Width == null) throw new UsageException("--residual needs --width N (the width of every block)");
        int depth = ParseInteger(input.Depth, "--depth");
        if (depth < 1) throw new UsageException($"--depth must be a positive integer, got {depth}");
        int width = ParseInteger(input.Width, "--width");
        if (width < 1) throw new UsageException($"--width must be a positive integer, got {width}");
        double a = ParseNumber(input.SkipScale ?? "1", "--skip-scale", "skip scale (--skip-scale)");
        if (!(a > 0)) throw new UsageException($"skip scale (--skip-scale) must be > 0, got {Show(a)}");

        double slope = ParseNumber(input.Slope, "--slope");
        if (slope < 0) throw new UsageException($"leaky ReLU slope (--slope) must be >= 0, got {Show(slope)}");
        string activationText = input.Activation ?? throw new UsageException("option '--activation' is required");
        if (SplitList(activationText, "--activation").Length != 1)
            throw new UsageException("--residual takes one --activation for every block, not a list");
        var activation = ParseActivation(activationText.Trim(), slope);
        double weightVariance = ParseSingle(input.WeightVariance ?? throw new UsageException("option '--weight-variance' is required"),
            "--weight-variance", "weight variance", allowZero: false);
        double biasVariance = ParseSingle(input.BiasVariance, "--bias-variance", "bias variance", allowZero: true);
        double inputVariance = ParseNumber(input.InputVariance, "--input-variance");
        if (!(inputVariance > 0)) throw new UsageException($"input variance must be > 0, got {Show(inputVariance)}");

        ResidualArchitecture network;
        try
        {
            network = new ResidualArchitecture(depth, width, a, activation, weightVariance, biasVariance, inputVariance);
        }
        catch (InvalidArchitectureException ex)
        {
            throw new UsageException(ex.Message.TrimEnd('.'));
        }

        var options = ParseOutput(input, out var svg, out var yScale);
        return new SpectrumSettings(null, network, options, input.Json, input.Density, svg, input.Time, yScale);
    }

    private static double ParseSingle(string text, string option, string what, bool allowZero)
    {
        var parts = SplitList(text, option);
        if (parts.Length != 1) throw new UsageException($"--residual takes one {option} for every block, not a list");
        double v = ParseNumber(parts[0], option, what);
        if (v < 0 || (!allowZero && v == 0))
            throw new UsageException($"{what} must be {(allowZero ? ">= 0" : "> 0")}, got {Show(v)}");
        return v;
    }

    /// <summary>Grid, plot and output options of <c>--residual</c> (same rules as for fully connected networks).</summary>
    private static SpectrumOptions ParseOutput(SpectrumInput input, out string? svg, out YScale yScale)
    {
        int gridPoints = ParseInteger(input.GridPoints, "--grid-points");
        if (gridPoints < 10 || gridPoints > 1_000_000)
            throw new UsageException($"--grid-points must be between 10 and 1000000, got {gridPoints}");

        yScale = input.YScale.Trim().ToLowerInvariant() switch
        {
            "auto" => Commands.YScale.Auto,
            "linear" or "lin" => Commands.YScale.Linear,
            "log" => Commands.YScale.Log,
            _ => throw new UsageException($"--y-scale must be auto, linear or log, got '{input.YScale}'"),
        };

        svg = null;
        if (input.Svg != null)
        {
            if (input.Svg.Trim().Length == 0) throw new UsageException("--svg needs a file name");
            if (input.NoSvg) throw new UsageException("--svg and --no-svg cannot be combined");
            svg = input.Svg;
        }
        else if (!input.Json && !input.NoSvg)
        {
            svg = DefaultSvgFile;
        }

        if (input.Density && !input.Json) throw new UsageException("--density adds the density arrays to the JSON output; use it with --json");
        return new SpectrumOptions { GridPoints = gridPoints };
    }

    private static int[] ParseWidths(string text)
    {
        var parts = SplitList(text, "--widths");
        if (parts.Length < 2)
            throw new UsageException($"--widths needs at least two comma-separated widths (input and output), got '{text.Trim()}'");
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int w))
            {
                bool numeric = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                throw new UsageException(numeric
                    ? $"width N_{i} must be a positive integer, got '{parts[i]}'"
                    : $"could not parse width N_{i} '{parts[i]}' as an integer");
            }

            if (w <= 0) throw new UsageException($"width N_{i} must be a positive integer, got {w}");
            widths[i] = w;
        }

        return widths;
    }

    private static Activation ParseActivation(string name, double slope)
    {
        try
        {
            return Activation.Parse(name, slope);
        }
        catch (InvalidArchitectureException ex)
        {
            throw new UsageException(ex.Message.TrimEnd('.'));
        }
    }

    private static WeightDistribution ParseInit(string name) => name.ToLowerInvariant() switch
    {
        "gaussian" or "normal" => WeightDistribution.Gaussian,
        "orthogonal" => WeightDistribution.Orthogonal,
        _ => throw new UsageException($"--init must be gaussian or orthogonal, got '{name}'"),
    };

    private static double[] ParseVariances(string text, string option, string what, int depth, string shape, bool allowZero)
    {
        var parts = SplitList(text, option);
        CheckCount(parts.Length, depth, option, shape);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string where = parts.Length > 1 ? $"{what} of layer {i + 1}" : what;
            double v = ParseNumber(parts[i], option, where);
            if (v < 0 || (!allowZero && v == 0))
                throw new UsageException($"{where} must be {(allowZero ? ">= 0" : "> 0")}, got {Show(v)}");
            values[i] = v;
        }

        return values;
    }

    private static string[] SplitList(string text, string option)
    {
        var parts = text.Split(',').Select(p => p.Trim()).ToArray();
        if (parts.Any(p => p.Length == 0))
            throw new UsageException($"{option} has an empty entry in '{text}'");
        return parts;
    }

    private static void CheckCount(int count, int depth, string option, string shape)
    {
        if (count != 1 && count != depth)
            throw new UsageException(
                $"{option} has {count} values but widths {shape} define {depth} layer{(depth == 1 ? "" : "s")}; give one value or {depth}");
    }

    private static double ParseNumber(string text, string option, string? what = null)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new UsageException($"could not parse {what ?? option} '{text.Trim()}' as a number");
        if (!double.IsFinite(v))
            throw new UsageException($"{what ?? option} must be a finite number, got '{text.Trim()}'");
        return v;
    }

    private static int ParseInteger(string text, string option)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"{option} must be an integer, got '{text.Trim()}'");
        return v;
    }

    private static T[] Expand<T>(T[] values, int depth) => values.Length == depth ? values : Enumerable.Repeat(values[0], depth).ToArray();

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
