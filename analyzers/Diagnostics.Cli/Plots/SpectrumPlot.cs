using Diagnostics.Cli.Commands;
using Diagnostics.Cli.Formatting;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Cli.Plots;

/// <summary>Builds the <see cref="DensityPlot"/> of a squared-singular-value law.</summary>
internal static class SpectrumPlot
{
    private const string CurveColor = "#1f5fa8";
    private const string DecileColor = "#8a8a8a";
    private const string MedianColor = "#c0392b";
    private const string MeanColor = "#2e8b57";

    public static DensityPlot Build(SquaredSingularValueLaw law, YScale yScale)
    {
        var net = law.Network;
        var plot = new DensityPlot($"Jacobian spectrum: {ArchitectureText.Summary(net)}")
        {
            Subtitle = law.IsPointMass
                ? "law of the eigenvalues \u03bb of J\u1d40J at initialisation (infinite width): the non-zero part is a single point"
                : law.IsPurelyAtomic
                ? $"law of the eigenvalues \u03bb of J\u1d40J at initialisation (infinite width): the non-zero part is {law.NonZeroAtoms.Count} point masses"
                : $"law of the eigenvalues \u03bb of J\u1d40J at initialisation (infinite width); non-zero part, {law.Grid.Count} grid points, Im z: {law.EtaDescription}",
            XLabel = "\u03bb, squared singular value of the input-output Jacobian (log scale)",
            YLabel = "density of the non-zero part",
        };

        double nonZeroMean = law.Mean / (1 - law.AtomAtZero);
        if (law.IsPointMass)
        {
            plot.PointMasses.Add(new PlotPointMass(law.SupportUpper, 1 - law.AtomAtZero, $"\u03bb = {Num.G(law.SupportUpper)}", CurveColor));
        }
        else if (law.IsPurelyAtomic)
        {
            foreach (var atom in law.NonZeroAtoms)
                plot.PointMasses.Add(new PlotPointMass(atom.Position, atom.Mass, $"\u03bb = {Num.G(atom.Position)}", CurveColor));
        }
        else
        {
            // A hard edge at zero can put the grid's first point dozens of decades below the bulk: start the axis at the
            // 1% quantile of the non-zero part instead.
            double q01 = law.QuantileNonZero(0.01);
            if (law.SupportLower == 0 && q01 > law.Grid[0])
            {
                plot.XMin = q01;
                plot.Notes.Add($"x axis starts at the 1% quantile of \u03bb > 0 ({Num.G(q01)}); the density has a hard edge at 0");
            }

            var visible = law.Grid.Zip(law.Density).Where(p => p.First >= (plot.XMin ?? 0)).Select(p => p.Second).ToArray();
            plot.LogY = yScale switch
            {
                YScale.Log => true,
                YScale.Linear => false,
                _ => DensityPlot.PrefersLogY(visible),
            };
            double atomMass = law.NonZeroAtoms.Sum(a => a.Mass);
            plot.Series.Add(new PlotSeries(law.Grid, law.Density, $"density of \u03bb > 0 (integrates to {Num.P(1 - law.AtomAtZero - atomMass)})", CurveColor));
            foreach (var atom in law.NonZeroAtoms)
                plot.PointMasses.Add(new PlotPointMass(atom.Position, atom.Mass, $"atom {Num.P(Num.Snap(atom.Mass))}", CurveColor));
            foreach (var (level, value) in law.QuantilesNonZero())
            {
                int percent = (int)Math.Round(level * 100);
                bool median = percent == 50;
                string? label = percent is 10 or 50 or 90 ? $"{percent}%" : null;
                plot.Markers.Add(new PlotMarker(value, label, median ? MedianColor : DecileColor, !median, median ? "median" : "deciles"));
            }

            plot.MarkerGroups["deciles"] = "deciles of the non-zero part (10%, 90% labelled)";
            plot.MarkerGroups["median"] = $"median of the non-zero part: {Num.G(law.QuantileNonZero(0.5))}";
            plot.Markers.Add(new PlotMarker(nonZeroMean, "mean", MeanColor, false, "mean"));
            plot.MarkerGroups["mean"] = $"mean of the non-zero part: {Num.G(nonZeroMean)}";
        }

        plot.Notes.Insert(0, Num.Snap(law.AtomAtZero) > 0
            ? $"atom at zero: {Num.P(law.AtomAtZero)} of the mass (not drawn)"
            : "no atom at zero");
        plot.Notes.Insert(1, $"mean \u03bb (zeros included): {Num.G(law.Mean)}");
        plot.Notes.Insert(2, $"support of \u03bb > 0: [{Num.G(law.SupportLower)}, {Num.G(law.SupportUpper)}]");
        plot.Notes.Insert(3, $"regime: {RegimeText.NameOf(law.Regime)}; spread {(double.IsFinite(law.Spread) ? Num.G(law.Spread, 2) : "inf")} decades");
        return plot;
    }
}
