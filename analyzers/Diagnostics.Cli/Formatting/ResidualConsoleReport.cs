using System.Globalization;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Residual;
using Spectre.Console;

namespace Diagnostics.Cli.Formatting;

/// <summary>The readable (Spectre.Console) output of <c>fpt spectrum --residual</c>.</summary>
internal static class ResidualConsoleReport
{
    /// <summary>"tanh residual L=20 N=500, a=1, σ_W²=1 (weights σ_W²/(L N))".</summary>
    public static string Summary(ResidualArchitecture net)
    {
        string text = $"{ArchitectureText.Activation(net.Activation)} residual L={net.Depth} N={net.Width}, a={Num.G(net.SkipScale)}, "
            + $"\u03c3_W\u00b2={Num.G(net.WeightVariance)} (weights \u03c3_W\u00b2/(L N))";
        if (net.BiasVariance != 0) text += $", \u03c3_b\u00b2={Num.G(net.BiasVariance)}";
        if (net.InputVariance != 1) text += $", q\u2080={Num.G(net.InputVariance)}";
        return text;
    }

    public static void Write(IAnsiConsole console, ResidualJacobianLaw law, string? svgPath)
    {
        console.Write(new Rule($"[bold]Residual Jacobian spectrum[/] [grey]{Markup.Escape(Summary(law.Network))}[/]").LeftJustified());
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

    private static Table LayerTable(ResidualJacobianLaw law)
    {
        var prop = law.Propagation;
        int depth = law.Network.Depth;
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Residual signal propagation[/]");
        table.AddColumn(new TableColumn("block").RightAligned());
        table.AddColumn(new TableColumn("q^l").RightAligned());
        table.AddColumn(new TableColumn("E[[x^l\u00b2]]").RightAligned());
        table.AddColumn(new TableColumn("c\u2082^l").RightAligned());
        table.AddColumn(new TableColumn("a\u00b2 + c\u2082^l/L").RightAligned());
        // Long networks: the first 5, the last 5 and a marker row between.
        for (int l = 0; l < depth; l++)
        {
            if (depth > 12 && l == 5)
            {
                table.AddRow("\u2026", "", "", "", "");
                l = depth - 5;
            }

            table.AddRow((l + 1).ToString(CultureInfo.InvariantCulture), Num.G(prop.Q[l]), Num.G(prop.PostActivationSecondMoment[l]),
                Num.G(prop.C2[l]), Num.G(prop.LayerGains[l]));
        }

        table.Caption("[grey]" + Markup.Escape("q^l = (\u03c3_W\u00b2/L) E[x^(l-1)\u00b2] + \u03c3_b\u00b2; c\u2082^l = \u03c3_W\u00b2 E[\u03c6'(h^l)\u00b2]; "
            + "the gains multiply to the exact finite-depth mean of J\u1d40J") + "[/]");
        return table;
    }

    private static Table SummaryTable(ResidualJacobianLaw law)
    {
        var net = law.Network;
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Universal law of the squared singular values \u03bb (eigenvalues of J\u1d40J, large L)[/]");
        table.AddColumn(new TableColumn("quantity"));
        table.AddColumn(new TableColumn("value"));
        table.AddRow("effective cumulant c = (1/L) \u03a3 c\u2082^l", Num.G(law.EffectiveCumulant));
        table.AddRow("shape parameter \u03ba = c/a\u00b2", Num.G(law.Kappa));
        table.AddRow("scale a^(2L)", Num.G(law.Scale));
        table.AddRow("mean \u03bb = a^(2L) e^\u03ba", Num.G(law.Mean));
        table.AddRow("exact mean at depth L (infinite width)", Num.G(law.FiniteDepthMean));
        table.AddRow("atom at zero", "none (J is invertible; the support starts above 0)");
        table.AddRow("support of \u03bb", law.IsPointMass ? $"the single point {Num.G(law.SupportUpper)}" : $"[[{Num.G(law.SupportLower)}, {Num.G(law.SupportUpper)}]]");
        table.AddRow("moments m1..m" + law.Moments.Count, string.Join(", ", law.Moments.Select(m => Num.G(m))));
        string colour = law.Regime switch
        {
            SpectralRegime.Vanishing => "deepskyblue1",
            SpectralRegime.Exploding => "orange1",
            _ => "green",
        };
        double q10 = law.Quantile(0.1), q90 = law.Quantile(0.9);
        string conditioning = law.IsWellConditioned
            ? $"well conditioned: q90/q10 spans {Num.G(law.Spread, 2)} decade(s)"
            : $"ill conditioned: q90/q10 spans {Num.G(law.Spread, 2)} decades; lower \u03c3_W\u00b2 or raise a (the shape depends on c/a\u00b2 only)";
        table.AddRow(new Markup("regime"), new Rows(
            new Markup($"[bold {colour}]{RegimeText.NameOf(law.Regime)}[/]: q10 = {Markup.Escape(Num.G(q10))}, q90 = {Markup.Escape(Num.G(q90))}"
                + (net.SkipScale != 1 ? Markup.Escape($"; the scale a^(2L) = {Num.G(law.Scale)} dominates for a \u2260 1") : "")),
            new Markup(Markup.Escape(conditioning))));
        table.AddRow("total mass (check)", $"{Num.G(law.TotalMass, 6)} (integral of the density)");
        table.AddRow("Im z for the density", Markup.Escape(law.EtaDescription) + "; transcendental master equation (eq. 25), analytic lilypads");
        return table;
    }

    private static Table DecileTable(ResidualJacobianLaw law)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Deciles of \u03bb[/]");
        table.AddColumn(new TableColumn("level").RightAligned());
        table.AddColumn(new TableColumn("\u03bb").RightAligned());
        foreach (var (level, value) in law.Quantiles()) table.AddRow(Num.G(level), Num.G(value));
        return table;
    }
}
