using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Diagnostics.Cli.Analysis;
using Diagnostics.Cli.Formatting;
using Diagnostics.Cli.Plots;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Cli.Commands;

/// <summary>
/// <c>fpt check</c>: runs the fpt Roslyn analyzer (FPT001-FPT005) on C# files as loose files (syntax fallback, no TorchSharp
/// reference needed), prints the diagnostics in the compiler's form and a table per model, optionally writes a density plot
/// per model and applies the code fixes in place.
/// </summary>
internal static class CheckCommand
{
    public const string Description =
        "Check TorchSharp models in C# source files: the same analyzers as the NuGet package (FPT001 exploding and FPT002 vanishing "
        + "Jacobian spectrum, FPT003 SGD learning rate above the stability bound, FPT005 not analysable), printed as "
        + "'file(line,col): warning FPTxxx: ...', plus a table per model (layers, activations, init, chi, deciles). "
        + "Exit codes: 0 no warnings; 1 warnings; 2 bad input (missing path, no .cs files).";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths") { Description = "C# files or folders (searched recursively, bin/ and obj/ skipped).", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (diagnostics and models) instead of text." };
        var svg = new Option<string>("--svg") { Description = "Write a density plot of the Jacobian spectrum of each model to this folder.", HelpName = "dir" };
        var fix = new Option<bool>("--fix") { Description = "Apply the code fixes in place (critical gain for FPT001/FPT002, then the stable learning rate for FPT003), then report what remains." };
        var command = new Command("check", Description) { paths, json, svg, fix };
        command.SetAction(parse => Execute(parse.GetValue(paths) ?? Array.Empty<string>(), parse.GetValue(json), parse.GetValue(svg), parse.GetValue(fix), stdout, stderr));
        return command;
    }

    public static int Execute(IReadOnlyList<string> paths, bool json, string? svgDir, bool fix, TextWriter stdout, TextWriter stderr)
    {
        List<(string Display, string FullPath)> files;
        try
        {
            files = CollectFiles(paths);
        }
        catch (UsageException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }

        if (svgDir != null && svgDir.Trim().Length == 0) return Program.Fail(stderr, "--svg needs a folder name", ExitCodes.Usage);
        var clock = Stopwatch.StartNew();
        bool progress = files.Count > 1;
        var check = new SourceCheck(files);
        if (fix)
        {
            var changed = check.FixAsync(CancellationToken.None).GetAwaiter().GetResult();
            foreach (var (path, text) in changed)
            {
                using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
                text.Write(writer);
            }

            stderr.WriteLine($"fixed {changed.Count} file(s)" + (changed.Count == 0 ? "" : ": " + string.Join(", ", changed.Select(c => Relative(c.FullPath)))));
        }

        if (progress) stderr.WriteLine($"analysing {files.Count} files ...");
        var diagnostics = check.AnalyzeAsync(CancellationToken.None).GetAwaiter().GetResult().Select(check.ToCheck).ToList();
        var models = check.ModelsAsync(1, CancellationToken.None).GetAwaiter().GetResult();
        if (progress) stderr.WriteLine($"{files.Count} files, {models.Count} models, {clock.ElapsedMilliseconds} ms");

        var reported = diagnostics.Where(d => d.Id != "FPT004").ToList();
        int warnings = reported.Count(d => d.IsWarning);
        if (svgDir != null)
        {
            try
            {
                Directory.CreateDirectory(svgDir);
                foreach (var m in models.Where(m => m.Law != null))
                {
                    var path = Path.Combine(svgDir, PlotFileName(m));
                    SpectrumPlot.Build(m.Law!, YScale.Auto).Save(path);
                    stderr.WriteLine("wrote " + path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                return Program.Fail(stderr, $"could not write the plots to '{svgDir}': {ex.Message}", ExitCodes.Failure);
            }
        }

        stdout.Write(json ? Json(files.Count, reported, models) : Text(files.Count, reported, models));
        stdout.Flush();
        return warnings > 0 ? 1 : ExitCodes.Ok;
    }

    /// <summary>The .cs files of the arguments in order (folders recursively, sorted, bin/ and obj/ skipped), without duplicates.</summary>
    internal static List<(string Display, string FullPath)> CollectFiles(IReadOnlyList<string> paths)
    {
        var files = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                if (!path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"'{path}' is not a C# file (.cs)");
                Add(path);
            }
            else if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(path, f).Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                    .OrderBy(f => f, StringComparer.Ordinal).ToList();
                foreach (var f in found) Add(f);
            }
            else
            {
                throw new UsageException($"'{path}' does not exist");
            }
        }

        if (files.Count == 0) throw new UsageException("no .cs files in " + string.Join(", ", paths.Select(p => "'" + p + "'")));
        return files;

        void Add(string path)
        {
            var full = Path.GetFullPath(path);
            if (seen.Add(full)) files.Add((Relative(full), full));
        }
    }

    private static string Relative(string full)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }

    internal static string PlotFileName(CheckModel m)
    {
        var stem = Path.GetFileNameWithoutExtension(m.File);
        var name = new string(m.Name.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
        return $"{stem}.{name}.L{m.Line}.svg";
    }

    private static string G(double x) => Num.G(x, 3);

    internal static string Text(int fileCount, IReadOnlyList<CheckDiagnostic> diagnostics, IReadOnlyList<CheckModel> models)
    {
        var sb = new StringBuilder();
        foreach (var d in diagnostics) sb.AppendLine(d.ToString());
        foreach (var m in models)
        {
            sb.AppendLine();
            sb.AppendLine($"{m.File}({m.Line}): model {m.Name}" + (m.Network == null ? "" : $", depth {m.Network.Depth}, widths {string.Join("-", m.Network.Widths)}"));
            if (m.Network == null || m.Law == null)
            {
                sb.AppendLine("  not analysable: " + m.Failure);
                continue;
            }

            sb.AppendLine("  layer  in -> out     activation   init                                    sigma_w^2  sigma_b^2  chi");
            for (int l = 0; l < m.Layers.Count; l++)
            {
                var r = m.Layers[l];
                var init = r.Weights == WeightDistribution.Orthogonal ? r.Init + " (orthogonal)" : r.Init;
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "  {0,5}  {1,-12}  {2,-11}  {3,-38}  {4,-9}  {5,-9}  {6}",
                    l + 1, $"{r.InputSize} -> {r.OutputSize}", r.Activation, init, G(r.WeightVariance), G(r.BiasVariance), G(r.Chi)));
            }

            var law = m.Law;
            sb.AppendLine("  deciles of squared singular values: " + string.Join(", ", Enumerable.Range(1, 9).Select(k => G(law.QuantileNonZero(k / 10.0)))));
            sb.AppendLine($"  regime: {RegimeText.NameOf(law.Regime)} (q90 = {G(law.QuantileNonZero(0.9))}, mean = {G(law.Mean)}"
                + (Num.Snap(law.AtomAtZero) > 0 ? $", atom at zero {G(law.AtomAtZero)})" : ")"));
            foreach (var note in m.Notes) sb.AppendLine("  " + note);
        }

        int warnings = diagnostics.Count(d => d.IsWarning);
        sb.AppendLine();
        sb.AppendLine($"{fileCount} file(s), {models.Count} model(s), {warnings} warning(s)");
        return sb.ToString();
    }

    internal static string Json(int fileCount, IReadOnlyList<CheckDiagnostic> diagnostics, IReadOnlyList<CheckModel> models)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("files", fileCount);
            w.WriteNumber("warnings", diagnostics.Count(d => d.IsWarning));
            w.WriteStartArray("diagnostics");
            foreach (var d in diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("file", d.File);
                w.WriteNumber("line", d.Line);
                w.WriteNumber("column", d.Column);
                w.WriteString("id", d.Id);
                w.WriteString("severity", d.SeverityText);
                w.WriteString("message", d.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("models");
            foreach (var m in models)
            {
                w.WriteStartObject();
                w.WriteString("file", m.File);
                w.WriteNumber("line", m.Line);
                w.WriteString("name", m.Name);
                if (m.Failure != null) w.WriteString("notAnalysable", m.Failure);
                if (m.Network != null && m.Law != null)
                {
                    w.WriteNumber("depth", m.Network.Depth);
                    w.WriteStartArray("widths");
                    foreach (var n in m.Network.Widths) w.WriteNumberValue(n);
                    w.WriteEndArray();
                    w.WriteStartArray("layers");
                    foreach (var r in m.Layers)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("in", r.InputSize);
                        w.WriteNumber("out", r.OutputSize);
                        w.WriteString("activation", r.Activation);
                        w.WriteString("init", r.Init);
                        w.WriteString("weights", ArchitectureText.Init(r.Weights));
                        w.WriteNumber("weightVariance", r.WeightVariance);
                        w.WriteNumber("biasVariance", r.BiasVariance);
                        w.WriteNumber("chi", r.Chi);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteStartArray("deciles");
                    for (int k = 1; k <= 9; k++) w.WriteNumberValue(m.Law.QuantileNonZero(k / 10.0));
                    w.WriteEndArray();
                    w.WriteNumber("mean", m.Law.Mean);
                    w.WriteString("regime", RegimeText.NameOf(m.Law.Regime));
                    w.WriteStartArray("notes");
                    foreach (var note in m.Notes) w.WriteStringValue(note);
                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }
}
