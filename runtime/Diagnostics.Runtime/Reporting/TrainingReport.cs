using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Phases;

namespace Diagnostics.Runtime.Reporting
{
    /// <summary>
    /// Hand-written SVG report of a monitored run: three stacked panels over the training steps, log-scale y axes:
    /// (1) ||J|| and sqrt(chi) with the phases of log ||J|| shaded; (2) lambda_max against 2 / eta, steps above the bound
    /// shaded; (3) the training loss. Same style as the CLI's density plot (well-formed XML, every text escaped).
    /// </summary>
    public sealed class TrainingReport
    {
        private const string Font = "DejaVu Sans, Helvetica, Arial, sans-serif";
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        private static readonly Dictionary<TrainingPhase, string> PhaseColors = new Dictionary<TrainingPhase, string>
        {
            [TrainingPhase.Stagnation] = "#f2c14e",
            [TrainingPhase.Descent] = "#5aa9e6",
            [TrainingPhase.Convergence] = "#7bc67b",
            [TrainingPhase.Growth] = "#e4572e",
        };

        private readonly MonitorHistory _history;

        public TrainingReport(MonitorHistory history, string title)
        {
            _history = history ?? throw new ArgumentNullException(nameof(history));
            Title = title;
        }

        public string Title { get; }

        public int Width { get; set; } = 1000;

        public string ToSvg()
        {
            const double left = 86, legendWidth = 230, panelHeight = 210, gap = 58, top = 60;
            double plotW = Width - left - legendWidth - 20;
            long lastStep = Math.Max(1, _history.LastStep);
            double Px(double step) => left + step / lastStep * plotW;

            var panels = new List<Panel>
            {
                new Panel("Input-output Jacobian", "norm")
                {
                    Series =
                    {
                        new Line("||J|| (spectral norm)", "#1f4e79", Points(QuantityNames.JacobianNorm, v => v), true, quantity: QuantityNames.JacobianNorm),
                        new Line("sqrt(chi) (RMS sing. value)", "#8e44ad", Points(QuantityNames.MeanSquaredSingularValue, Math.Sqrt), false, quantity: QuantityNames.MeanSquaredSingularValue),
                    },
                    ShadePhases = true,
                },
                new Panel("Sharpness and the learning-rate bound", "curvature")
                {
                    Series =
                    {
                        new Line("lambda_max (Gauss-Newton)", "#c0392b", Points(QuantityNames.Sharpness, v => v), true, quantity: QuantityNames.Sharpness),
                        new Line("2 / eta (bound)", "#333333", Points(QuantityNames.LearningRate, v => 2 / v), false, dashed: true),
                    },
                    ShadeAboveBound = true,
                },
            };
            var loss = Points(QuantityNames.Loss, v => v);
            if (loss.Count > 0)
                panels.Add(new Panel("Training loss", "loss") { Series = { new Line("loss", "#2e7d32", loss, false, quantity: QuantityNames.Loss) } });

            double height = top + panels.Count * (panelHeight + gap) + 10;
            var svg = new StringBuilder();
            svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{F(height)}\" viewBox=\"0 0 {Width} {F(height)}\" font-family=\"{Font}\">\n");
            svg.Append($"  <title>{Esc(Title)}</title>\n");
            svg.Append($"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{F(height)}\" fill=\"white\"/>\n");
            svg.Append($"  <text x=\"{F(Width / 2.0)}\" y=\"30\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">{Esc(Title)}</text>\n");

            for (int p = 0; p < panels.Count; p++)
            {
                double y0 = top + p * (panelHeight + gap);
                DrawPanel(svg, panels[p], left, y0, plotW, panelHeight, lastStep, Px, p == panels.Count - 1);
            }

            svg.Append("</svg>\n");
            return svg.ToString();
        }

        private void DrawPanel(StringBuilder svg, Panel panel, double left, double top, double plotW, double plotH, long lastStep, Func<double, double> px, bool last)
        {
            var values = panel.Series.SelectMany(s => s.Points.Select(q => q.Y)).Where(v => v > 0 && !double.IsInfinity(v)).ToArray();
            double lo = values.Length > 0 ? values.Min() : 0.1, hi = values.Length > 0 ? values.Max() : 10;
            double d0 = Math.Floor(Math.Log10(lo / 1.05)), d1 = Math.Ceiling(Math.Log10(hi * 1.05));
            if (d1 - d0 < 1) d1 = d0 + 1;
            double Py(double y) => top + plotH - (Math.Log10(Math.Max(y, Math.Pow(10, d0))) - d0) / (d1 - d0) * plotH;

            svg.Append($"  <text x=\"{F(left)}\" y=\"{F(top - 10)}\" font-size=\"14\" font-weight=\"bold\" fill=\"#222\">{Esc(panel.Title)}</text>\n");
            svg.Append($"  <clipPath id=\"clip-{panel.Id}\"><rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\"/></clipPath>\n");

            // Background: phases or steps above the bound.
            svg.Append($"  <g class=\"shading\" clip-path=\"url(#clip-{panel.Id})\">\n");
            if (panel.ShadePhases)
            {
                var changes = _history.PhaseChanges;
                for (int k = 0; k < changes.Count; k++)
                {
                    // From the start of the window that showed the phase (the change is confirmed a few readings later).
                    double from = changes[k].Since, to = k + 1 < changes.Count ? changes[k + 1].Since : lastStep;
                    if (!PhaseColors.TryGetValue(changes[k].To, out var color)) continue;
                    svg.Append($"    <rect x=\"{F(px(from))}\" y=\"{F(top)}\" width=\"{F(Math.Max(0.5, px(to) - px(from)))}\" height=\"{F(plotH)}\" fill=\"{color}\" fill-opacity=\"0.22\"/>\n");
                    svg.Append($"    <text x=\"{F(px(from) + 4)}\" y=\"{F(top + 14)}\" font-size=\"11\" fill=\"#555\">{Esc(changes[k].To.ToString().ToLowerInvariant())}</text>\n");
                }
            }

            if (panel.ShadeAboveBound)
            {
                // Each reading above the bound shades the interval up to the next reading.
                var margins = _history.Series(QuantityNames.LearningRateMargin);
                for (int k = 0; k < margins.Count; k++)
                {
                    if (!margins[k].HasValue || margins[k].Value <= 1) continue;
                    double to = k + 1 < margins.Count ? margins[k + 1].Step : lastStep;
                    svg.Append($"    <rect x=\"{F(px(margins[k].Step))}\" y=\"{F(top)}\" width=\"{F(Math.Max(2, px(to) - px(margins[k].Step)))}\" height=\"{F(plotH)}\" fill=\"#e4572e\" fill-opacity=\"0.16\"/>\n");
                }
            }

            svg.Append("  </g>\n");

            // Grid, y ticks (decades).
            svg.Append("  <g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
            int every = (int)Math.Ceiling((d1 - d0) / 6);
            for (double d = d0; d <= d1; d += every)
                svg.Append($"    <line x1=\"{F(left)}\" y1=\"{F(Py(Math.Pow(10, d)))}\" x2=\"{F(left + plotW)}\" y2=\"{F(Py(Math.Pow(10, d)))}\"/>\n");
            svg.Append("  </g>\n");
            svg.Append($"  <g class=\"tick-labels\" font-size=\"11.5\" fill=\"#333\">\n");
            for (double d = d0; d <= d1; d += every)
                svg.Append($"    <text x=\"{F(left - 8)}\" y=\"{F(Py(Math.Pow(10, d)) + 4)}\" text-anchor=\"end\">{Decade((int)d)}</text>\n");
            foreach (var t in StepTicks(lastStep))
            {
                svg.Append($"    <line x1=\"{F(px(t))}\" y1=\"{F(top + plotH)}\" x2=\"{F(px(t))}\" y2=\"{F(top + plotH + 5)}\" stroke=\"#333\"/>\n");
                svg.Append($"    <text x=\"{F(px(t))}\" y=\"{F(top + plotH + 18)}\" text-anchor=\"middle\">{t.ToString(Inv)}</text>\n");
            }

            svg.Append("  </g>\n");
            if (last) svg.Append($"  <text x=\"{F(left + plotW / 2)}\" y=\"{F(top + plotH + 38)}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#222\">training step</text>\n");
            svg.Append($"  <text transform=\"translate(22 {F(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12.5\" fill=\"#222\">{Esc(panel.YLabel)} (log scale)</text>\n");

            // Curves.
            svg.Append($"  <g class=\"series\" clip-path=\"url(#clip-{panel.Id})\">\n");
            foreach (var s in panel.Series)
            {
                var pts = s.Points.Where(q => q.Y > 0 && !double.IsInfinity(q.Y)).ToList();
                if (pts.Count == 0) continue;
                var d = new StringBuilder();
                for (int k = 0; k < pts.Count; k++) d.Append(k == 0 ? "M " : " L ").Append(F(px(pts[k].X))).Append(' ').Append(F(Py(pts[k].Y)));
                string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
                svg.Append($"    <path d=\"{d}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash}/>\n");
                if (s.Markers && pts.Count <= 400)
                    foreach (var q in pts) svg.Append($"    <circle cx=\"{F(px(q.X))}\" cy=\"{F(Py(q.Y))}\" r=\"2.2\" fill=\"{s.Color}\"/>\n");
            }

            // Flagged readings as red crosses on the bottom edge.
            foreach (var r in panel.Series.SelectMany(s => _history.Series(s.Quantity)).Where(r => r.IsFlagged && r.Status != Estimators.EstimateStatus.NotConverged))
                svg.Append($"    <text x=\"{F(px(r.Step))}\" y=\"{F(top + plotH - 3)}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#c0392b\">x</text>\n");
            svg.Append("  </g>\n");
            svg.Append($"  <rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\"/>\n");

            // Legend.
            double lx = left + plotW + 18, ly = top + 14;
            svg.Append("  <g class=\"legend\" font-size=\"12\" fill=\"#222\">\n");
            foreach (var s in panel.Series)
            {
                string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
                svg.Append($"    <line x1=\"{F(lx)}\" y1=\"{F(ly - 4)}\" x2=\"{F(lx + 24)}\" y2=\"{F(ly - 4)}\" stroke=\"{s.Color}\" stroke-width=\"2.5\"{dash}/>\n");
                svg.Append($"    <text x=\"{F(lx + 30)}\" y=\"{F(ly)}\">{Esc(s.Label)}</text>\n");
                ly += 20;
            }

            if (panel.ShadePhases)
            {
                foreach (var kv in PhaseColors.Where(kv => _history.PhaseChanges.Any(c => c.To == kv.Key)))
                {
                    svg.Append($"    <rect x=\"{F(lx)}\" y=\"{F(ly - 11)}\" width=\"24\" height=\"12\" fill=\"{kv.Value}\" fill-opacity=\"0.35\"/>\n");
                    svg.Append($"    <text x=\"{F(lx + 30)}\" y=\"{F(ly)}\">{Esc(kv.Key.ToString().ToLowerInvariant())}</text>\n");
                    ly += 20;
                }
            }

            if (panel.ShadeAboveBound && _history.Series(QuantityNames.LearningRateMargin).Any(r => r.HasValue && r.Value > 1))
            {
                svg.Append($"    <rect x=\"{F(lx)}\" y=\"{F(ly - 11)}\" width=\"24\" height=\"12\" fill=\"#e4572e\" fill-opacity=\"0.3\"/>\n");
                svg.Append($"    <text x=\"{F(lx + 30)}\" y=\"{F(ly)}\">eta above 2/lambda_max</text>\n");
            }

            svg.Append("  </g>\n");
        }

        private List<(double X, double Y)> Points(string quantity, Func<double, double> map) =>
            _history.Series(quantity).Where(r => r.HasValue).Select(r => ((double)r.Step, map(r.Value))).ToList();

        private static IEnumerable<long> StepTicks(long lastStep)
        {
            double raw = lastStep / 6.0;
            double p = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(raw, 1))));
            double f = raw / p;
            long step = (long)Math.Max(1, (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p);
            for (long t = 0; t <= lastStep; t += step) yield return t;
        }

        private static string Decade(int d) => d >= -2 && d <= 3
            ? Esc(Math.Pow(10, d).ToString("0.##", Inv))
            : $"10<tspan dy=\"-6\" font-size=\"9\">{(d < 0 ? "\u2212" + (-d).ToString(Inv) : d.ToString(Inv))}</tspan>";

        private static string F(double v) => Math.Round(v, 2).ToString("0.##", Inv);

        private static string Esc(string s) => s
            .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&apos;");

        private sealed class Panel
        {
            private static int _next;

            public Panel(string title, string yLabel)
            {
                Title = title;
                YLabel = yLabel;
                Id = "p" + System.Threading.Interlocked.Increment(ref _next).ToString(Inv);
            }

            public string Title { get; }

            public string YLabel { get; }

            public string Id { get; }

            public List<Line> Series { get; } = new List<Line>();

            public bool ShadePhases { get; set; }

            public bool ShadeAboveBound { get; set; }
        }

        private sealed class Line
        {
            public Line(string label, string color, List<(double X, double Y)> points, bool markers, bool dashed = false, string? quantity = null)
            {
                Label = label;
                Color = color;
                Points = points;
                Markers = markers;
                Dashed = dashed;
                Quantity = quantity ?? "";
            }

            public string Label { get; }

            public string Color { get; }

            public List<(double X, double Y)> Points { get; }

            public bool Markers { get; }

            public bool Dashed { get; }

            public string Quantity { get; }
        }
    }
}
