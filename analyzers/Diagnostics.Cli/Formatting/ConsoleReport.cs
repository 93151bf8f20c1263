using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Diagnostics.Cli.Formatting;

/// <summary>The readable (Spectre.Console) output of <c>fpt spectrum</c>.</summary>
internal static class ConsoleReport
{
    /// <summary>A Spectre console writing to <paramref name="writer"/>; colours only for an interactive terminal.</summary>
    public static IAnsiConsole CreateConsole(TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        int width = 110;
        if (terminal)
        {
            try { width = Math.Max(80, Console.WindowWidth); } catch (IOException) { }
        }

        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = true;
        return console;
    }

    public static void Write(IAnsiConsole console, SquaredSingularValueLaw law, string? svgPath)
    {
        var net = law.Network;
        console.Write(new Rule($"[bold]Jacobian spectrum[/] [grey]{Markup.Escape(ArchitectureText.Summary(net))}[/]").LeftJustified());
        console.WriteLine();
        console.Write(LayerTable(law));
        console.WriteLine();
        console.Write(SummaryTable(law));
        console.WriteLine();
        console.Write(DecileTable(law));
        if (svgPath != null)
        {
            console.WriteLine();
            console.MarkupLine($"Density plot written to [bold]{Markup.Escape(svgPath)}[/]");
        }
    }

    private static Table LayerTable(SquaredSingularValueLaw law)
    {
        var net = law.Network;
        var prop = law.Propagation;
        bool showInit = net.Layers.Any(l => l.Weights != WeightDistribution.Gaussian);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Architecture and mean-field propagation[/]");
        table.AddColumn(new TableColumn("layer").RightAligned());
        table.AddColumn(new TableColumn("width in\u2192out").RightAligned());
        table.AddColumn(new TableColumn("activation"));
        if (showInit) table.AddColumn(new TableColumn("init"));
        table.AddColumn(new TableColumn("\u03c3_w\u00b2").RightAligned());
        table.AddColumn(new TableColumn("\u03c3_b\u00b2").RightAligned());
        table.AddColumn(new TableColumn("q_l").RightAligned());
        table.AddColumn(new TableColumn("\u03c7_l").RightAligned());
        table.AddColumn(new TableColumn("layer gain").RightAligned());
        for (int l = 0; l < net.Depth; l++)
        {
            var layer = net.Layers[l];
            var cells = new List<string>
            {
                (l + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{net.Widths[l]}\u2192{net.Widths[l + 1]}",
                Markup.Escape(ArchitectureText.Activation(layer.Activation)),
            };
            if (showInit) cells.Add(ArchitectureText.Init(layer.Weights));
            cells.Add(Num.G(layer.WeightVariance));
            cells.Add(Num.G(layer.BiasVariance));
            cells.Add(Num.G(prop.Q[l]));
            cells.Add(ChiCell(prop.Chi[l]));
            cells.Add(Num.G(prop.JacobianGains[l]));
            table.AddRow(cells.ToArray());
        }

        string caption = "q_l: pre-activation variance; \u03c7_l = \u03c3_w\u00b2 E[\u03c6'(h_l)\u00b2]; layer gain = \u03c7_l N_l/N_(l-1) "
            + (showInit ? "(orthogonal: \u03c7_l min(1, N_l/N_(l-1))) " : "") + "- the gains multiply to the mean of J\u1d40J";
        table.Caption($"[grey]{Markup.Escape(caption)}[/]");
        return table;
    }

    private static string ChiCell(double chi)
    {
        string text = Num.G(chi);
        if (chi < 0.95) return $"[deepskyblue1]{text}[/]";
        if (chi > 1.05) return $"[orange1]{text}[/]";
        return $"[green]{text}[/]";
    }

    private static Table SummaryTable(SquaredSingularValueLaw law)
    {
        var net = law.Network;
        var regime = RegimeText.Describe(law);
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Law of the squared singular values \u03bb (eigenvalues of J\u1d40J)[/]");
        table.AddColumn(new TableColumn("quantity"));
        table.AddColumn(new TableColumn("value"));
        double nonZero = 1 - law.AtomAtZero;
        table.AddRow("mean \u03bb (zeros included)", Num.G(law.Mean));
        table.AddRow("mean of \u03bb > 0", Num.G(law.Mean / nonZero));
        table.AddRow("atom at zero", $"{Num.P(Num.Snap(law.AtomAtZero))} of J\u1d40J ({net.Widths[0]}\u00d7{net.Widths[0]}); {Num.P(Num.Snap(law.AtomAtZeroOutput))} of JJ\u1d40 ({net.Widths[^1]}\u00d7{net.Widths[^1]})");
        if (law.NonZeroAtoms.Count > 1)
            table.AddRow("atoms away from zero", string.Join(", ", law.NonZeroAtoms.Select(a => $"{Num.P(Num.Snap(a.Mass))} at {Num.G(a.Position, 6)}"))
                + (law.IsPurelyAtomic ? " (no continuous part)" : $"; the density lies in [[{Num.G(law.Grid[0], 6)}, {Num.G(law.ContinuousUpper, 6)}]]"));
        else if (law.AtomAtTop > 0)
            table.AddRow("atom at the top", $"{Num.P(Num.Snap(law.AtomAtTop))} at {Num.G(law.SupportUpper, 6)} (active subspaces intersect); the density ends at {Num.G(law.ContinuousUpper, 6)}");
        table.AddRow("support of \u03bb > 0", law.IsPointMass
            ? $"the single point {Num.G(law.SupportUpper)}"
            : $"[[{Num.G(law.SupportLower)}, {Num.G(law.SupportUpper)}]]{(law.SupportLower == 0 ? " (hard edge at 0)" : "")}");
        if (law.DiscretisationBumps > 0)
            table.AddRow("[yellow]density artefact[/]", $"the density shows {law.DiscretisationBumps} separated bumps: a smooth layer behind a strong bottleneck makes JJ\u1d40 close to a multiple of its D\u00b2, whose {law.DerivativeLaws.First(d => !d.IsExact).Values.Length}-atom discretisation they are; mass, moments and quantiles hold, the density between the bumps is not the smooth law's");
        table.AddRow("moments m1..m" + law.Moments.Count, string.Join(", ", law.Moments.Select(m => Num.G(m))));
        string colour = law.Regime switch
        {
            SpectralRegime.Vanishing => "deepskyblue1",
            SpectralRegime.Exploding => "orange1",
            _ => "green",
        };
        var regimeRows = new List<IRenderable>
        {
            new Markup($"[bold {colour}]{regime.Name}[/]: {Markup.Escape(regime.Explanation)}"),
            new Markup(Markup.Escape(regime.Conditioning)),
        };
        if (regime.Advice != null) regimeRows.Add(new Markup($"[bold]advice[/]: {Markup.Escape(regime.Advice)}"));
        table.AddRow(new Markup("regime"), new Rows(regimeRows));
        table.AddRow("total mass (check)", $"{Num.G(law.TotalMass, 6)} (atom + integral of the density)");
        table.AddRow("Im z for the density", Markup.Escape(law.EtaDescription) + (law.IsRationalMasterEquation ? "; rational master equation" : ""));
        return table;
    }

    private static Table DecileTable(SquaredSingularValueLaw law)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Deciles of \u03bb[/]");
        table.AddColumn(new TableColumn("level").RightAligned());
        table.AddColumn(new TableColumn("whole law (zeros included)").RightAligned());
        table.AddColumn(new TableColumn("non-zero part").RightAligned());
        var whole = law.Quantiles();
        var nonZero = law.QuantilesNonZero();
        foreach (var (level, value) in whole)
            table.AddRow(Num.G(level), Num.G(value), Num.G(nonZero[level]));
        return table;
    }
}
