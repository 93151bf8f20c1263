using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Diagnostics.Cli.Formatting;
using Diagnostics.Cli.Plots;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Pruning;
using Spectre.Console;

namespace Diagnostics.Cli.Commands;

/// <summary>The raw option values of <c>fpt prune</c> beyond the <c>spectrum</c> architecture options.</summary>
internal sealed record PruneInput
{
    public SpectrumInput Spectrum { get; init; } = new();
    public string? Sparsity { get; init; }
    public string Method { get; init; } = "random";
    public bool NoRescale { get; init; }
    public string PrunedLayers { get; init; } = "all";
}

/// <summary>
/// <c>fpt prune</c>: the limiting Jacobian law of a pruned network (random or magnitude pruning, rescaled or not), its
/// per-layer variance factors, the shrinkage of the spectral norm and the sufficient stability condition.
/// </summary>
internal static class PruneCommand
{
    public const string Description =
        "Limiting law of the squared singular values of the input-output Jacobian of a pruned network at initialisation "
        + "(Gaussian weights): random pruning keeps each weight with probability 1-s, magnitude pruning keeps the fraction 1-s "
        + "of largest |w| per layer. Reports the per-layer variance factor (1-s, or t_N of magnitude pruning), the law "
        + "(same fields as 'fpt spectrum'), the shrinkage of the spectral norm without rescaling and the sufficient condition "
        + "1-s >> log(n)^5/n. Exit codes: 0 success; 1 an output file could not be written; 2 invalid arguments; "
        + "3 the spectral engine could not certify a result.";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var widths = new Option<string>("--widths") { Description = "Layer widths N_0,...,N_L, comma-separated (input first).", HelpName = "n0,n1,...", Required = true };
        var activation = new Option<string>("--activation")
        {
            Description = "Activation of every layer, or one per layer: " + string.Join(", ", Spectra.Architecture.Activation.CanonicalNames) + ".",
            HelpName = "name[,name...]",
            Required = true,
        };
        var lastActivation = new Option<string>("--last-activation") { Description = "Activation of the last layer (default: --activation).", HelpName = "name" };
        var weightVariance = new Option<string>("--weight-variance")
        {
            Description = "sigma_w^2 (> 0) of the dense network: Gaussian weights of variance sigma_w^2/fan_in; one value or one per layer.",
            HelpName = "v[,v...]",
            Required = true,
        };
        var biasVariance = new Option<string>("--bias-variance") { Description = "sigma_b^2 (>= 0); one value or one per layer.", HelpName = "v[,v...]", DefaultValueFactory = _ => "0" };
        var init = new Option<string>("--init")
        {
            Description = "Weight law: gaussian (pruned layers must be Gaussian) or orthogonal for unpruned layers; one value or one per layer.",
            HelpName = "gaussian|orthogonal",
            DefaultValueFactory = _ => "gaussian",
        };
        var inputVariance = new Option<string>("--input-variance") { Description = "q_0 (> 0), the variance of the input entries.", HelpName = "q0", DefaultValueFactory = _ => "1" };
        var slope = new Option<string>("--slope")
        {
            Description = "Negative slope of leaky_relu (>= 0).",
            HelpName = "s",
            DefaultValueFactory = _ => Spectra.Architecture.Activation.DefaultLeakySlope.ToString(CultureInfo.InvariantCulture),
        };
        var sparsity = new Option<string>("--sparsity") { Description = "s in [0, 1): the fraction of the weights of each pruned layer that is removed.", HelpName = "s", Required = true };
        var method = new Option<string>("--method") { Description = "random (keep each weight with probability 1-s) or magnitude (keep the largest |w|).", HelpName = "random|magnitude", DefaultValueFactory = _ => "random" };
        var noRescale = new Option<bool>("--no-rescale") { Description = "Do not rescale the kept weights (by default they are multiplied by v^(-1/2), restoring the dense variance)." };
        var prunedLayers = new Option<string>("--pruned-layers")
        {
            Description = "Which layers are pruned: all, or a comma list of 1-based layer indices (e.g. 2,3,4 keeps the input layer dense).",
            HelpName = "all|l1,l2,...",
            DefaultValueFactory = _ => "all",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var density = new Option<bool>("--density") { Description = "With --json: add the density grid." };
        var svg = new Option<string>("--svg") { Description = "Write the SVG density plot of the pruned network's law to this file.", HelpName = "file" };
        var yScale = new Option<string>("--y-scale") { Description = "y axis of the plot: auto, linear or log.", HelpName = "auto|linear|log", DefaultValueFactory = _ => "auto" };
        var gridPoints = new Option<string>("--grid-points") { Description = "Points of the density grid (10 to 1000000).", HelpName = "n", DefaultValueFactory = _ => "400" };

        var command = new Command("prune", Description)
        {
            widths, activation, lastActivation, weightVariance, biasVariance, init, inputVariance, slope,
            sparsity, method, noRescale, prunedLayers, json, density, svg, yScale, gridPoints,
        };
        command.SetAction(parse => Execute(new PruneInput
        {
            Spectrum = new SpectrumInput
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
                NoSvg = parse.GetValue(svg) == null,
                YScale = parse.GetValue(yScale)!,
                GridPoints = parse.GetValue(gridPoints)!,
            },
            Sparsity = parse.GetValue(sparsity),
            Method = parse.GetValue(method)!,
            NoRescale = parse.GetValue(noRescale),
            PrunedLayers = parse.GetValue(prunedLayers)!,
        }, stdout, stderr));
        return command;
    }

    /// <summary>Runs the command on already-read option values; returns the exit code.</summary>
    public static int Execute(PruneInput input, TextWriter stdout, TextWriter stderr)
    {
        SpectrumSettings settings;
        PruningSpecification pruning;
        try
        {
            settings = SpectrumSettings.Parse(input.Spectrum);
            pruning = ParsePruning(input);
        }
        catch (UsageException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }
        catch (InvalidArchitectureException ex)
        {
            return Program.Fail(stderr, ex.Message.TrimEnd('.'), ExitCodes.Usage);
        }

        PrunedSpectrum result;
        try
        {
            result = PrunedSpectrum.Compute(settings.Network!, pruning, settings.Options); // set: prune has no --residual
        }
        catch (InvalidArchitectureException ex)
        {
            return Program.Fail(stderr, ex.Message.TrimEnd('.'), ExitCodes.Usage);
        }
        catch (SpectralException ex)
        {
            return Program.Fail(stderr, "the spectral engine did not converge: " + ex.Message, ExitCodes.Convergence);
        }

        try
        {
            if (settings.SvgPath != null) SpectrumPlot.Build(result.Law, settings.YScale).Save(settings.SvgPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Program.Fail(stderr, $"could not write '{settings.SvgPath}': {ex.Message}", ExitCodes.Failure);
        }

        string? svgShown = settings.SvgPath == null ? null : Path.GetFullPath(settings.SvgPath);
        if (settings.Json) stdout.WriteLine(Json(result, settings.IncludeDensity, svgShown));
        else WriteReadable(ConsoleReport.CreateConsole(stdout), result, svgShown);
        stdout.Flush();
        return ExitCodes.Ok;
    }

    private static PruningSpecification ParsePruning(PruneInput input)
    {
        string text = (input.Sparsity ?? throw new UsageException("option '--sparsity' is required")).Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double s))
            throw new UsageException($"could not parse --sparsity '{text}' as a number");
        if (!(s >= 0 && s < 1)) throw new UsageException($"--sparsity must be in [0, 1) (the fraction of weights removed), got {text}");
        var method = input.Method.Trim().ToLowerInvariant() switch
        {
            "random" => PruningMethod.Random,
            "magnitude" => PruningMethod.Magnitude,
            _ => throw new UsageException($"--method must be random or magnitude, got '{input.Method}'"),
        };
        List<int>? layers = null;
        if (!string.Equals(input.PrunedLayers.Trim(), "all", StringComparison.OrdinalIgnoreCase))
        {
            layers = new List<int>();
            foreach (var part in input.PrunedLayers.Split(',').Select(p => p.Trim()))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int l) || l < 1)
                    throw new UsageException($"--pruned-layers must be 'all' or a comma list of layer numbers >= 1, got '{input.PrunedLayers}'");
                layers.Add(l);
            }
        }

        return new PruningSpecification(s, method, !input.NoRescale, layers);
    }

    /// <summary>The spectrum JSON of the pruned network plus the pruning fields.</summary>
    internal static string Json(PrunedSpectrum result, bool includeDensity, string? svgPath)
    {
        var node = JsonNode.Parse(JsonReport.Write(result.Law, includeDensity, svgPath))!.AsObject();
        var net = result.Network;
        node["weight_variances"] = Array(net.Dense.Layers.Select(l => l.WeightVariance));
        node["effective_weight_variances"] = Array(net.Effective.Layers.Select(l => l.WeightVariance));
        node["sparsity"] = net.Pruning.Sparsity;
        node["density_kept"] = net.Pruning.Density;
        node["method"] = PruningSpecification.MethodName(net.Pruning.Method);
        node["rescaled"] = net.Pruning.Rescale;
        node["pruned_layers"] = new JsonArray(Enumerable.Range(1, net.Dense.Depth).Where(net.Pruning.IsPruned).Select(l => (JsonNode)JsonValue.Create(l)).ToArray());
        node["variance_factor"] = Array(net.VarianceFactors);
        node["rescale_factor"] = Array(net.RescaleFactors);
        node["kept_weights"] = new JsonArray(net.KeptCounts.Select(k => (JsonNode)JsonValue.Create(k)).ToArray());
        node["spectral_norm_shrinkage"] = Finite(result.SpectralNormShrinkage);
        node["spectral_norm_shrinkage_homogeneous"] = Finite(result.HomogeneousShrinkage);
        node["scale_invariant_derivatives"] = result.HasScaleInvariantDerivatives;
        node["mean_ratio"] = Finite(result.MeanRatio);
        node["dense_support"] = Array(new[] { result.DenseLaw.SupportLower, result.DenseLaw.SupportUpper });
        if (result.Condition is { } c)
        {
            node["sufficient_condition"] = new JsonObject
            {
                ["width"] = c.Width,
                ["density"] = c.Density,
                ["bound"] = c.Bound,
                ["ratio"] = c.Ratio,
                ["satisfied"] = c.IsSatisfied,
                ["statement"] = "1-s >> log(n)^5/n",
            };
        }

        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonNode? Finite(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    private static JsonArray Array(IEnumerable<double> values) => new(values.Select(Finite).ToArray());

    private static void WriteReadable(IAnsiConsole console, PrunedSpectrum result, string? svgPath)
    {
        var net = result.Network;
        ConsoleReport.Write(console, result.Law, svgPath);
        console.WriteLine();
        string mode = $"{PruningSpecification.MethodName(net.Pruning.Method)} pruning, s = {Num.G(net.Pruning.Sparsity)}, "
            + (net.Pruning.Rescale ? "kept weights rescaled" : "not rescaled");
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Pruning[/] [grey]{Markup.Escape(mode)}[/]");
        table.AddColumn(new TableColumn("layer").RightAligned());
        table.AddColumn(new TableColumn("pruned"));
        table.AddColumn(new TableColumn("kept weights").RightAligned());
        table.AddColumn(new TableColumn("variance factor v").RightAligned());
        table.AddColumn(new TableColumn("rescale").RightAligned());
        table.AddColumn(new TableColumn("\u03c3_w\u00b2 dense \u2192 effective").RightAligned());
        for (int l = 0; l < net.Dense.Depth; l++)
        {
            table.AddRow((l + 1).ToString(CultureInfo.InvariantCulture), net.Pruning.IsPruned(l + 1) ? "yes" : "no",
                net.KeptCounts[l].ToString(CultureInfo.InvariantCulture), Num.G(net.VarianceFactors[l], 6), Num.G(net.RescaleFactors[l], 6),
                $"{Num.G(net.Dense.Layers[l].WeightVariance)} \u2192 {Num.G(net.Effective.Layers[l].WeightVariance, 6)}");
        }

        table.Caption("[grey]v: expected fraction of the layer's sum of squared weights kept (1-s random; t_N magnitude)[/]");
        console.Write(table);
        console.WriteLine();
        var summary = new Table().Border(TableBorder.Rounded).Title("[bold]Effect on the Jacobian[/]");
        summary.AddColumn("quantity");
        summary.AddColumn("value");
        summary.AddRow("spectral norm pruned / dense", $"{Num.G(result.SpectralNormShrinkage, 6)}"
            + (result.HasScaleInvariantDerivatives ? $" (= prod sqrt(v) = {Num.G(result.HomogeneousShrinkage, 6)} exactly for these activations)" : $" (prod sqrt(v) would give {Num.G(result.HomogeneousShrinkage, 6)}; q_l moves the derivative laws)"));
        summary.AddRow("mean of J\u1d40J pruned / dense", Num.G(result.MeanRatio, 6));
        if (result.Condition is { } c)
        {
            summary.AddRow("sufficient condition 1-s >> log(n)^5/n",
                $"1-s = {Num.G(c.Density)} vs log({c.Width})^5/{c.Width} = {Num.G(c.Bound)}: {(c.IsSatisfied ? "holds (ratio " + Num.G(c.Ratio) + ")" : "not met (it cannot be below n ~ 3e5)")}");
        }

        console.Write(summary);
    }
}
