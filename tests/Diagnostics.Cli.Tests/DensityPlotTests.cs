using System.Xml.Linq;
using Diagnostics.Cli.Formatting;
using Diagnostics.Cli.Plots;
using Xunit;

namespace Diagnostics.Cli.Tests;

public class DensityPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static (double[] X, double[] Y) PowerLaw()
    {
        var x = Enumerable.Range(0, 200).Select(k => Math.Pow(10, -12 + 13.0 * k / 199)).ToArray();
        var y = x.Select(v => Math.Pow(v, -0.8) * Math.Max(0, 1 - v / 10)).ToArray();
        return (x, y);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Svg_is_well_formed_and_escapes_text(bool logY)
    {
        var (x, y) = PowerLaw();
        var plot = new DensityPlot("a <title> & \"quotes\"") { Subtitle = "sub", LogY = logY, XLabel = "x < 1", YLabel = "y" };
        plot.Series.Add(new PlotSeries(x, y, "curve & co", "#1f5fa8"));
        plot.Markers.Add(new PlotMarker(1e-3, "10%", "grey", true, "deciles"));
        plot.Markers.Add(new PlotMarker(1e-2, "50%", "red", false, "median"));
        plot.Notes.Add("atom at zero: 0.5 <not drawn>");
        var doc = XDocument.Parse(plot.ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal(2, doc.Descendants(Svg + "path").Count(p => p.Parent?.Attribute("class")?.Value == "series"));
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "a <title> & \"quotes\"");
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("atom at zero: 0.5 <not drawn>"));
    }

    [Fact]
    public void Prefers_log_y_for_a_singular_density()
    {
        var (_, y) = PowerLaw();
        Assert.True(DensityPlot.PrefersLogY(y));
        Assert.False(DensityPlot.PrefersLogY(new[] { 1.0, 2, 3, 2, 1 }));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.23456, "1.235")]
    [InlineData(27.272773, "27.27")]
    [InlineData(1.659e-5, "1.659e-5")]
    [InlineData(1285663.0, "1.286e6")]
    [InlineData(-2.5, "-2.5")]
    public void Numbers_are_formatted_invariantly(double value, string expected) => Assert.Equal(expected, Num.G(value));
}
