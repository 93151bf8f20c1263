using System.Globalization;
using System.Text;

namespace Diagnostics.Cli.Plots;

/// <summary>A curve of the plot: y(x) at increasing x.</summary>
/// <param name="X">Abscissae (ascending, &gt; 0: the x axis is logarithmic).</param>
/// <param name="Y">Ordinates, &gt;= 0.</param>
/// <param name="Label">Legend text.</param>
/// <param name="Color">Any SVG colour.</param>
/// <param name="Fill">Shade the area under the curve.</param>
internal sealed record PlotSeries(IReadOnlyList<double> X, IReadOnlyList<double> Y, string Label, string Color, bool Fill = true);

/// <summary>A vertical line at <paramref name="X"/>, e.g. a quantile.</summary>
/// <param name="X">Position (&gt; 0).</param>
/// <param name="Label">Short text written at the top of the line; null for none.</param>
/// <param name="Color">Any SVG colour.</param>
/// <param name="Dashed">Dashed line (true) or solid.</param>
/// <param name="Group">Legend group: markers with the same group share one legend entry (the group's text).</param>
internal sealed record PlotMarker(double X, string? Label, string Color, bool Dashed, string Group);

/// <summary>A point mass drawn as an arrow at <paramref name="X"/> (a law whose non-zero part is a single atom).</summary>
internal sealed record PlotPointMass(double X, double Mass, string Label, string Color);

/// <summary>
/// Hand-written SVG plot of densities on a logarithmic x axis (linear or logarithmic y), with axis ticks and labels,
/// a title, vertical markers (quantiles, means), point masses and a legend with free-text notes. Has no dependency
/// beyond the BCL; the output is well-formed XML (UTF-8, every text escaped).
/// </summary>
internal sealed class DensityPlot
{
    private const string Font = "DejaVu Sans, Helvetica, Arial, sans-serif";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public DensityPlot(string title) => Title = title;

    public string Title { get; set; }

    public string? Subtitle { get; set; }

    public string XLabel { get; set; } = "x";

    public string YLabel { get; set; } = "density";

    /// <summary>Logarithmic y axis (values &lt;= the lower limit are clipped to the bottom edge).</summary>
    public bool LogY { get; set; }

    /// <summary>Total width of the image, legend included.</summary>
    public int Width { get; set; } = 1000;

    /// <summary>Left end of the x axis; null: the smallest x of the data (and markers), slightly padded.</summary>
    public double? XMin { get; set; }

    /// <summary>Right end of the x axis; null: the largest x of the data (and markers), slightly padded.</summary>
    public double? XMax { get; set; }

    public int Height { get; set; } = 560;

    /// <summary>Width of the legend column on the right.</summary>
    public int LegendWidth { get; set; } = 250;

    public List<PlotSeries> Series { get; } = new();

    public List<PlotMarker> Markers { get; } = new();

    public List<PlotPointMass> PointMasses { get; } = new();

    /// <summary>Free-text legend lines (e.g. "atom at zero: 0.5, not drawn").</summary>
    public List<string> Notes { get; } = new();

    /// <summary>Legend text of each marker group (see <see cref="PlotMarker.Group"/>).</summary>
    public Dictionary<string, string> MarkerGroups { get; } = new();

    /// <summary>
    /// True when a linear y axis would hide most of the curve: the maximum is more than 1000 times the median of
    /// the positive values (a density that blows up at an edge).
    /// </summary>
    public static bool PrefersLogY(IReadOnlyList<double> y)
    {
        var positive = y.Where(v => v > 0 && double.IsFinite(v)).OrderBy(v => v).ToArray();
        if (positive.Length < 3) return false;
        return positive[^1] > 1e3 * positive[positive.Length / 2];
    }

    public void Save(string path) => File.WriteAllText(path, ToSvg(), new UTF8Encoding(false));

    public string ToSvg()
    {
        double left = 86, top = Subtitle == null ? 56 : 76, bottom = 62;
        double plotW = Width - left - LegendWidth - 20, plotH = Height - top - bottom;
        if (plotW < 100 || plotH < 100) throw new InvalidOperationException("the plot is too small for its margins.");

        var (xmin, xmax) = XRange();
        double lxmin = Math.Log10(xmin), lxmax = Math.Log10(xmax);
        var (ymin, ymax) = YRange(xmin, xmax);
        double lymin = LogY ? Math.Log10(ymin) : 0, lymax = LogY ? Math.Log10(ymax) : 0;
        double Px(double x) => left + (Math.Log10(x) - lxmin) / (lxmax - lxmin) * plotW;
        double Py(double y)
        {
            double t = LogY
                ? (y <= ymin ? 0 : (Math.Log10(y) - lymin) / (lymax - lymin))
                : (y - ymin) / (ymax - ymin);
            return top + plotH - Math.Clamp(t, 0, 1.02) * plotH;
        }

        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"{Font}\">\n");
        svg.Append($"  <title>{Esc(Title)}</title>\n");
        svg.Append($"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append("  <defs>\n");
        svg.Append($"    <clipPath id=\"plot-area\"><rect x=\"{F(left)}\" y=\"{F(top - 0.02 * plotH)}\" width=\"{F(plotW)}\" height=\"{F(plotH * 1.02)}\"/></clipPath>\n");
        svg.Append("    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"context-stroke\"/></marker>\n");
        svg.Append("  </defs>\n");

        // Title and subtitle, shrunk to fit the width of the image.
        double centre = Width / 2.0;
        svg.Append($"  <text x=\"{F(centre)}\" y=\"28\" text-anchor=\"middle\" font-size=\"{F(FitFont(Title, 17, 0.62))}\" font-weight=\"bold\" fill=\"#222\">{Esc(Title)}</text>\n");
        if (Subtitle != null)
            svg.Append($"  <text x=\"{F(centre)}\" y=\"50\" text-anchor=\"middle\" font-size=\"{F(FitFont(Subtitle, 12.5, 0.56))}\" fill=\"#555\">{Esc(Subtitle)}</text>\n");

        // Grid and ticks.
        svg.Append("  <g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
        var xTicks = LogTicks(xmin, xmax, out var xMinor);
        foreach (double m in xMinor) svg.Append($"    <line x1=\"{F(Px(m))}\" y1=\"{F(top)}\" x2=\"{F(Px(m))}\" y2=\"{F(top + plotH)}\" stroke=\"#f2f2f2\"/>\n");
        foreach (var (x, _) in xTicks) svg.Append($"    <line x1=\"{F(Px(x))}\" y1=\"{F(top)}\" x2=\"{F(Px(x))}\" y2=\"{F(top + plotH)}\"/>\n");
        var yTicks = LogY ? LogTicks(ymin, ymax, out var yMinor) : LinearTicks(ymin, ymax, out yMinor);
        foreach (var (y, _) in yTicks) svg.Append($"    <line x1=\"{F(left)}\" y1=\"{F(Py(y))}\" x2=\"{F(left + plotW)}\" y2=\"{F(Py(y))}\"/>\n");
        svg.Append("  </g>\n");

        // Curves.
        svg.Append("  <g class=\"series\" clip-path=\"url(#plot-area)\">\n");
        foreach (var s in Series)
        {
            var points = new List<(double X, double Y)>();
            for (int k = 0; k < s.X.Count; k++)
            {
                double x = s.X[k], y = s.Y[k];
                if (!(x > 0) || !double.IsFinite(x) || double.IsNaN(y)) continue;
                points.Add((Px(x), Py(double.IsPositiveInfinity(y) ? ymax * 10 : y)));
            }

            if (points.Count == 0) continue;
            var d = new StringBuilder();
            for (int k = 0; k < points.Count; k++) d.Append(k == 0 ? "M " : " L ").Append(F(points[k].X)).Append(' ').Append(F(points[k].Y));
            if (s.Fill)
            {
                double baseY = top + plotH;
                svg.Append($"    <path d=\"M {F(points[0].X)} {F(baseY)} L {d.ToString()[2..]} L {F(points[^1].X)} {F(baseY)} Z\" fill=\"{Esc(s.Color)}\" fill-opacity=\"0.14\" stroke=\"none\"/>\n");
            }

            svg.Append($"    <path d=\"{d}\" fill=\"none\" stroke=\"{Esc(s.Color)}\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>\n");
        }

        svg.Append("  </g>\n");

        // Markers, labels staggered when they would collide.
        svg.Append("  <g class=\"markers\">\n");
        double lastLabelX = double.NegativeInfinity;
        int row = 0;
        foreach (var m in Markers.Where(m => m.X > 0 && double.IsFinite(m.X)).OrderBy(m => m.X))
        {
            double x = Px(m.X);
            if (x < left - 0.5 || x > left + plotW + 0.5) continue;
            string dash = m.Dashed ? " stroke-dasharray=\"5 4\"" : "";
            svg.Append($"    <line x1=\"{F(x)}\" y1=\"{F(top)}\" x2=\"{F(x)}\" y2=\"{F(top + plotH)}\" stroke=\"{Esc(m.Color)}\" stroke-width=\"1.3\"{dash}/>\n");
            if (m.Label != null)
            {
                row = x - lastLabelX < 34 ? row + 1 : 0;
                lastLabelX = x;
                double ty = top + 13 + 13 * row;
                svg.Append($"    <text x=\"{F(x + 3)}\" y=\"{F(ty)}\" font-size=\"11\" fill=\"{Esc(m.Color)}\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{Esc(m.Label)}</text>\n");
            }
        }

        foreach (var p in PointMasses)
        {
            double x = Px(p.X);
            svg.Append($"    <line x1=\"{F(x)}\" y1=\"{F(top + plotH)}\" x2=\"{F(x)}\" y2=\"{F(top + 0.1 * plotH)}\" stroke=\"{Esc(p.Color)}\" stroke-width=\"2.5\" marker-end=\"url(#arrow)\"/>\n");
            svg.Append($"    <text x=\"{F(x + 8)}\" y=\"{F(top + 0.1 * plotH + 4)}\" font-size=\"12\" fill=\"{Esc(p.Color)}\">{Esc(p.Label)}</text>\n");
        }

        svg.Append("  </g>\n");

        // Axes, ticks and tick labels.
        svg.Append("  <g class=\"axes\" stroke=\"#333\" stroke-width=\"1.2\" fill=\"none\">\n");
        svg.Append($"    <rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\"/>\n");
        foreach (double m in xMinor) svg.Append($"    <line x1=\"{F(Px(m))}\" y1=\"{F(top + plotH)}\" x2=\"{F(Px(m))}\" y2=\"{F(top + plotH + 3)}\"/>\n");
        foreach (var (x, _) in xTicks) svg.Append($"    <line x1=\"{F(Px(x))}\" y1=\"{F(top + plotH)}\" x2=\"{F(Px(x))}\" y2=\"{F(top + plotH + 6)}\"/>\n");
        foreach (double m in yMinor) svg.Append($"    <line x1=\"{F(left - 3)}\" y1=\"{F(Py(m))}\" x2=\"{F(left)}\" y2=\"{F(Py(m))}\"/>\n");
        foreach (var (y, _) in yTicks) svg.Append($"    <line x1=\"{F(left - 6)}\" y1=\"{F(Py(y))}\" x2=\"{F(left)}\" y2=\"{F(Py(y))}\"/>\n");
        svg.Append("  </g>\n");
        svg.Append("  <g class=\"tick-labels\" font-size=\"12\" fill=\"#333\">\n");
        foreach (var (x, label) in xTicks)
            svg.Append($"    <text x=\"{F(Px(x))}\" y=\"{F(top + plotH + 21)}\" text-anchor=\"middle\">{label}</text>\n");
        foreach (var (y, label) in yTicks)
            svg.Append($"    <text x=\"{F(left - 9)}\" y=\"{F(Py(y) + 4)}\" text-anchor=\"end\">{label}</text>\n");
        svg.Append("  </g>\n");
        svg.Append($"  <text x=\"{F(left + plotW / 2)}\" y=\"{F(Height - 14)}\" text-anchor=\"middle\" font-size=\"13.5\" fill=\"#222\">{Esc(XLabel)}</text>\n");
        svg.Append($"  <text transform=\"translate(20 {F(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13.5\" fill=\"#222\">{Esc(YLabel + (LogY ? " (log scale)" : ""))}</text>\n");

        AppendLegend(svg, left + plotW + 18, top);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private void AppendLegend(StringBuilder svg, double x, double y)
    {
        var lines = new List<string>();
        double row = y + 14;
        const double step = 19;
        svg.Append("  <g class=\"legend\" font-size=\"12\" fill=\"#222\">\n");
        foreach (var s in Series)
        {
            svg.Append($"    <line x1=\"{F(x)}\" y1=\"{F(row - 4)}\" x2=\"{F(x + 24)}\" y2=\"{F(row - 4)}\" stroke=\"{Esc(s.Color)}\" stroke-width=\"2.5\"/>\n");
            row = AppendWrapped(svg, x + 32, row, s.Label, step);
        }

        foreach (var group in Markers.GroupBy(m => m.Group))
        {
            var m = group.First();
            string dash = m.Dashed ? " stroke-dasharray=\"5 4\"" : "";
            svg.Append($"    <line x1=\"{F(x)}\" y1=\"{F(row - 4)}\" x2=\"{F(x + 24)}\" y2=\"{F(row - 4)}\" stroke=\"{Esc(m.Color)}\" stroke-width=\"1.5\"{dash}/>\n");
            row = AppendWrapped(svg, x + 32, row, MarkerGroups.TryGetValue(group.Key, out var text) ? text : group.Key, step);
        }

        foreach (var p in PointMasses)
        {
            svg.Append($"    <line x1=\"{F(x + 12)}\" y1=\"{F(row + 2)}\" x2=\"{F(x + 12)}\" y2=\"{F(row - 10)}\" stroke=\"{Esc(p.Color)}\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>\n");
            row = AppendWrapped(svg, x + 32, row, $"point mass {Formatting.Num.G(p.Mass)} at {Formatting.Num.G(p.X)}", step);
        }

        if (Notes.Count > 0) row += 6;
        foreach (var note in Notes) row = AppendWrapped(svg, x, row, note, step - 2, "#444");
        svg.Append("  </g>\n");
    }

    /// <summary>Largest font size up to <paramref name="size"/> (at least 8) at which the text fits the image width.</summary>
    /// <param name="text">The text.</param>
    /// <param name="size">Preferred size in px.</param>
    /// <param name="emPerChar">Average advance of one character, in ems, for the font and weight used.</param>
    private double FitFont(string text, double size, double emPerChar)
    {
        double available = Width - 30;
        double needed = text.Length * emPerChar * size;
        return needed <= available ? size : Math.Max(8, size * available / needed);
    }

    /// <summary>Writes text wrapped to the legend width (about 6.6 px per character at 12 px); returns the next row.</summary>
    private double AppendWrapped(StringBuilder svg, double x, double row, string text, double step, string? color = null)
    {
        int maxChars = Math.Max(12, (int)((Width - x - 8) / 6.6));
        string fill = color == null ? "" : $" fill=\"{Esc(color)}\"";
        foreach (var line in Wrap(text, maxChars))
        {
            svg.Append($"    <text x=\"{F(x)}\" y=\"{F(row)}\"{fill}>{Esc(line)}</text>\n");
            row += step - 3;
        }

        return row + 3;
    }

    private static IEnumerable<string> Wrap(string text, int maxChars)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > maxChars)
            {
                yield return line.ToString();
                line.Clear().Append("  ");
            }

            if (line.Length > 0 && line.ToString() != "  ") line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) yield return line.ToString();
    }

    private (double Min, double Max) XRange()
    {
        var xs = Series.SelectMany(s => s.X).Concat(Markers.Select(m => m.X)).Concat(PointMasses.Select(p => p.X))
            .Where(x => x > 0 && double.IsFinite(x) && (XMin == null || x >= XMin) && (XMax == null || x <= XMax)).ToArray();
        double lo = XMin ?? (xs.Length > 0 ? xs.Min() : XMax is double h ? h / 100 : 0.1);
        double hi = XMax ?? (xs.Length > 0 ? xs.Max() : lo * 100);
        if (hi / lo < 1.5)
        {
            double c = Math.Sqrt(lo * hi);
            lo = XMin ?? c / 1.6;
            hi = XMax ?? c * 1.6;
        }

        double pad = 0.03 * Math.Log10(hi / lo);
        return (XMin ?? lo / Math.Pow(10, pad), XMax ?? hi * Math.Pow(10, pad));
    }

    /// <summary>Positive finite y values of the points inside [xmin, xmax].</summary>
    private IEnumerable<double> VisibleY(double xmin, double xmax) => Series.SelectMany(s =>
        s.X.Zip(s.Y).Where(p => p.First >= xmin && p.First <= xmax).Select(p => p.Second)).Where(y => y > 0 && double.IsFinite(y));

    private (double Min, double Max) YRange(double xmin, double xmax)
    {
        var ys = VisibleY(xmin, xmax).ToArray();
        if (ys.Length == 0) return LogY ? (0.1, 10) : (0, 1);
        double max = ys.Max();
        if (!LogY) return (0, NiceCeiling(max * 1.04));
        // Floor at the 2nd percentile of the visible values (a few points at a soft edge may go lower and are
        // clipped), and never more than 30 decades below the peak.
        Array.Sort(ys);
        double min = Math.Max(ys[(int)(0.02 * (ys.Length - 1))], max * 1e-30);
        double lo = Math.Floor(Math.Log10(min)), hi = Math.Ceiling(Math.Log10(max * 1.01));
        if (hi - lo < 1) lo = hi - 1;
        return (Math.Pow(10, lo), Math.Pow(10, hi));
    }

    private static double NiceCeiling(double v)
    {
        double step = NiceStep(v / 5);
        return Math.Ceiling(v / step - 1e-9) * step;
    }

    private static double NiceStep(double raw)
    {
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
    }

    private static List<(double Value, string Label)> LinearTicks(double min, double max, out List<double> minor)
    {
        double step = NiceStep((max - min) / 5);
        var ticks = new List<(double, string)>();
        minor = new List<double>();
        for (double v = Math.Ceiling(min / step) * step; v <= max * (1 + 1e-9); v += step)
        {
            double r = Math.Abs(v) < step * 1e-9 ? 0 : v;
            ticks.Add((r, Esc(Formatting.Num.G(r, 4))));
            if (r + step / 2 < max) minor.Add(r + step / 2);
        }

        return ticks;
    }

    /// <summary>Decade ticks (1, 2, 5 within a decade for narrow ranges; every k-th decade for wide ones).</summary>
    private static List<(double Value, string Label)> LogTicks(double min, double max, out List<double> minor)
    {
        int d0 = (int)Math.Floor(Math.Log10(min) + 1e-9), d1 = (int)Math.Ceiling(Math.Log10(max) - 1e-9);
        int decades = d1 - d0;
        var ticks = new List<(double, string)>();
        var minorTicks = new List<double>();
        minor = minorTicks;
        double span = Math.Log10(max / min);
        if (span < 2.5)
        {
            // Narrow ranges: label 1..9 (under 0.8 decades) or 1, 2, 5 in each decade; the other digits are minor ticks.
            var labelled = span < 0.8 ? new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } : new[] { 1, 2, 5 };
            for (int d = d0; d <= d1; d++)
            {
                for (int m = 1; m <= 9; m++)
                {
                    double v = m * Math.Pow(10, d);
                    if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9)) continue;
                    if (labelled.Contains(m)) ticks.Add((v, Esc(Formatting.Num.G(v, 3))));
                    else minorTicks.Add(v);
                }
            }

            return ticks;
        }

        // Plain labels (0.01 ... 1000) only when every decade in view has one; else 10^k throughout.
        bool plain = d0 >= -2 && d1 <= 3;
        int every = decades <= 9 ? 1 : decades <= 18 ? 2 : decades <= 36 ? 4 : (int)Math.Ceiling(decades / 9.0);
        for (int d = d0; d <= d1; d++)
        {
            double v = Math.Pow(10, d);
            if (v < min * (1 - 1e-9) || v > max * (1 + 1e-9)) { AddMinor(d); continue; }
            if ((d - d0) % every == 0) ticks.Add((v, DecadeLabel(d, plain)));
            else minor.Add(v);
            AddMinor(d);
        }

        return ticks;

        void AddMinor(int d)
        {
            if (decades > 8) return;
            for (int m = 2; m <= 9; m++)
            {
                double v = m * Math.Pow(10, d);
                if (v >= min && v <= max) minorTicks.Add(v);
            }
        }
    }

    /// <summary>"0.01", "1", "100" when <paramref name="plain"/>, else 10 with a superscript (as SVG tspans).</summary>
    private static string DecadeLabel(int d, bool plain) => plain
        ? Esc(Math.Pow(10, d).ToString("0.##", Inv))
        : $"10<tspan dy=\"-6\" font-size=\"9.5\">{(d < 0 ? "\u2212" + (-d).ToString(Inv) : d.ToString(Inv))}</tspan>";

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", Inv);

    private static string Esc(string s) => s
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&apos;");
}
