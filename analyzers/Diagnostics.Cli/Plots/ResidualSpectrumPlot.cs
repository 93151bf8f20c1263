using Diagnostics.Cli.Commands;
using Diagnostics.Cli.Formatting;
using Diagnostics.Spectra.Residual;

namespace Diagnostics.Cli.Plots;

/// <summary>Builds the <see cref="DensityPlot"/> of a residual network's universal Jacobian law.</summary>
internal static class ResidualSpectrumPlot
{
    private const string CurveColor = "#1f5fa8";
    private const string DecileColor = "#8a8a8a";
    private const string MedianColor = "#c0392b";
    private const string MeanColor = "#2e8b57";

    public static DensityPlot Build(ResidualJacobianLaw law, YScale yScale)
    {
        var plot = new DensityPlot($"Residual Jacobian spectrum: {ResidualConsoleReport.Summary(law.Network)}")
        {
            Subtitle = law.IsPointMass
                ? "universal large-depth law of the eigenvalues \u03bb of J\u1d40J: a single point"
                : $"universal large-depth law of the eigenvalues \u03bb of J\u1d40J (Tarnowski et al. eq. 25), {law.Grid.Count} grid points, Im z: {law.EtaDescription}",
            XLabel = "\u03bb, squared singular value of the input-output Jacobian (log scale)",
            YLabel = "density",
        };

        if (law.IsPointMass)
        {
            plot.PointMasses.Add(new PlotPointMass(law.SupportUpper, 1, $"\u03bb = {Num.G(law.SupportUpper)}", CurveColor));
        }
        else
        {
            plot.LogY = yScale switch
            {
                YScale.Log => true,
                YScale.Linear => false,
                _ => DensityPlot.PrefersLogY(law.Density),
            };
            plot.Series.Add(new PlotSeries(law.Grid, law.Density, "density of \u03bb", CurveColor));
            foreach (var (level, value) in law.Quantiles())
            {
                int percent = (int)Math.Round(level * 100);
                bool median = percent == 50;
                string? label = percent is 10 or 50 or 90 ? $"{percent}%" : null;
                plot.Markers.Add(new PlotMarker(value, label, median ? MedianColor : DecileColor, !median, median ? "median" : "deciles"));
            }

            plot.MarkerGroups["deciles"] = "deciles (10%, 90% labelled)";
            plot.MarkerGroups["median"] = $"median: {Num.G(law.Quantile(0.5))}";
            plot.Markers.Add(new PlotMarker(law.Mean, "mean", MeanColor, false, "mean"));
            plot.MarkerGroups["mean"] = $"mean a^(2L) e^(c/a\u00b2): {Num.G(law.Mean)}";
        }

        plot.Notes.Add($"effective cumulant c = {Num.G(law.EffectiveCumulant)}, \u03ba = c/a\u00b2 = {Num.G(law.Kappa)}");
        plot.Notes.Add($"support: [{Num.G(law.SupportLower)}, {Num.G(law.SupportUpper)}]; no atom at zero");
        plot.Notes.Add($"regime: {RegimeText.NameOf(law.Regime)}; spread {(double.IsFinite(law.Spread) ? Num.G(law.Spread, 2) : "inf")} decades");
        return plot;
    }
}
