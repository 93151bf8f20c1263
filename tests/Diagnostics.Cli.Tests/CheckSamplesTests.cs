using System.Text.RegularExpressions;
using Xunit;

namespace Diagnostics.Cli.Tests;

/// <summary>
/// <c>fpt check samples/Models</c>: every sample's first line (<c>// check: FPT002</c>, <c>// check: none</c>) states, from
/// the theory in its header, which diagnostics the check prints for it; the run must print exactly those.
/// </summary>
public sealed class CheckSamplesTests
{
    private static readonly Regex DiagnosticLine = new(@"^(?<file>.+?)\((?<line>\d+),(?<col>\d+)\): (?<severity>warning|info|error) (?<id>FPT\d{3}): ", RegexOptions.Multiline);

    private static string SamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "samples", "Models");
            if (Directory.Exists(path)) return path;
        }

        throw new DirectoryNotFoundException("samples/Models");
    }

    private static List<string> Header(string file)
    {
        var first = File.ReadLines(file).First();
        Assert.StartsWith("// check: ", first);
        var ids = first["// check: ".Length..].Trim();
        return ids == "none" ? new List<string>() : ids.Split(',').Select(s => s.Trim()).OrderBy(s => s, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void CheckSamplesModels_PrintsWhatEachHeaderStates()
    {
        var folder = SamplesFolder();
        var files = Directory.GetFiles(folder, "*.cs");
        Assert.True(files.Length >= 10, $"expected the full sample set, found {files.Length} files");
        var r = Cli.Run("check", folder);

        var found = DiagnosticLine.Matches(r.Stdout).GroupBy(m => Path.GetFileName(m.Groups["file"].Value))
            .ToDictionary(g => g.Key, g => g.Select(m => m.Groups["id"].Value).OrderBy(s => s, StringComparer.Ordinal).ToList());
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var actual = found.TryGetValue(name, out var ids) ? ids : new List<string>();
            Assert.True(Header(file).SequenceEqual(actual), $"{name}: header says [{string.Join(", ", Header(file))}], check printed [{string.Join(", ", actual)}]\n{r.Stdout}");
        }

        Assert.Empty(found.Keys.Except(files.Select(Path.GetFileName))!);
        bool anyWarning = files.SelectMany(Header).Any(id => id != "FPT005");
        Assert.Equal(anyWarning ? 1 : 0, r.ExitCode);
        Assert.Contains($"{files.Length} file(s), {files.Length} model(s), ", r.Stdout);
        // MnistClassifierModule.cs: SGD at 0.001 is checked and found within the bound (its header's expectation).
        Assert.Contains("SGD learning rate 0.001 is within the stability bound ", r.Stdout);
        // ModuleListTanhRelu.cs: the layers of a ModuleList built in a loop are read (nine layers, one warning on the class).
        Assert.Contains("ModuleListTanhRelu.cs(14): model TabularEncoder, depth 9, widths 64-256-256-256-256-256-256-256-256-10", r.Stdout);
    }

    [Fact]
    public void CheckFix_OnACopyOfSamplesModels_SecondRunHasNoWarning()
    {
        var copy = Cli.TempDirectory();
        foreach (var file in Directory.GetFiles(SamplesFolder(), "*.cs")) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var warned = Directory.GetFiles(copy, "*.cs").Where(f => Header(f).Any(id => id != "FPT005")).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var untouched = Directory.GetFiles(copy, "*.cs").Where(f => !warned.Contains(Path.GetFileName(f))).ToDictionary(f => f, File.ReadAllText);

        var fixedRun = Cli.Run("check", copy, "--fix");
        Assert.Contains($"fixed {warned.Count} file(s)", fixedRun.Stderr);
        Assert.All(untouched, kv => Assert.Equal(kv.Value, File.ReadAllText(kv.Key))); // files without warnings are not rewritten

        var second = Cli.Run("check", copy);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain(": warning FPT", second.Stdout);
        Assert.Contains(" 0 warning(s)", second.Stdout);
    }
}
