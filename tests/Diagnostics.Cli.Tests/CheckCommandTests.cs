using System.Text.Json;
using Xunit;

namespace Diagnostics.Cli.Tests;

/// <summary>
/// <c>fpt check</c> on temporary C# files: exit codes, the compiler-style diagnostic lines at the right positions, the
/// per-model table (chi against closed forms), JSON, SVG plots, and --fix on a copy (a second run is clean).
/// </summary>
public sealed class CheckCommandTests
{
    private const string Usings = """
        using System;
        using TorchSharp;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>Eight ReLU layers of width 64 on TorchSharp's default init: sigma_w^2 = 1/3, chi = 1/6 per layer (q90 far below 1e-2).</summary>
    private const string DeepDefaults = Usings + """
        public static class DeepDefaults
        {
            public static Module<Tensor, Tensor> Build()
            {
                var model = Sequential(
                    Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 64), ReLU(),
                    Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 10));
                return model;
            }
        }
        """;

    /// <summary>He init with zero biases: chi = 1 exactly in every ReLU layer, 2 in the linear head.</summary>
    private const string Critical = Usings + """
        public static class Critical
        {
            public static Module<Tensor, Tensor> Build()
            {
                var model = Sequential(Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 10));
                foreach (var (name, p) in model.named_parameters())
                {
                    if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
                    else init.zeros_(p);
                }

                return model;
            }
        }
        """;

    /// <summary>Critical ReLU network trained by plain SGD with rate 10: far above 1/lambda_max (lambda_max >= mean >= 1 here).</summary>
    private const string LargeRate = Usings + """
        public static class LargeRate
        {
            public static void Train()
            {
                var model = Sequential(Linear(32, 32), ReLU(), Linear(32, 32), ReLU(), Linear(32, 4));
                foreach (var (name, p) in model.named_parameters())
                {
                    if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
                    else init.zeros_(p);
                }

                var optimizer = torch.optim.SGD(model.parameters(), learningRate: 10.0);
            }
        }
        """;

    private static string Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>1-based line and column of the first occurrence of <paramref name="marker"/>.</summary>
    private static (int Line, int Column) Position(string text, string marker)
    {
        int index = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, marker);
        var before = text[..index];
        int line = before.Count(c => c == '\n') + 1;
        int column = index - (before.LastIndexOf('\n') + 1) + 1;
        return (line, column);
    }

    [Fact]
    public void MissingPath_ExitTwo()
    {
        var r = Cli.Run("check", Path.Combine(Cli.TempDirectory(), "nope"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", r.Stderr);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void FolderWithoutCsFiles_ExitTwo()
    {
        var dir = Cli.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "no code");
        var r = Cli.Run("check", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no .cs files", r.Stderr);
    }

    [Fact]
    public void NoPath_ExitTwo() => Assert.Equal(2, Cli.Run("check").ExitCode);

    [Fact]
    public void NonCsFile_ExitTwo()
    {
        var path = Write(Cli.TempDirectory(), "model.py", "import torch");
        var r = Cli.Run("check", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a C# file", r.Stderr);
    }

    [Fact]
    public void DeepDefaults_WarnsFpt002AtSequential_ExitOne()
    {
        var path = Write(Cli.TempDirectory(), "Deep.cs", DeepDefaults);
        var r = Cli.Run("check", path);
        Assert.Equal(1, r.ExitCode);
        var (line, column) = Position(DeepDefaults, "Sequential(");
        Assert.Contains($"({line},{column}): warning FPT002: 90% quantile of squared singular values ", r.Stdout);
        // Table: chi = sigma_w^2 E[relu'^2] = (1/3)(1/2) = 1/6 in each ReLU layer, 1/3 in the linear head.
        var rows = r.Stdout.Split('\n').Where(l => l.Contains("default (kaiming_uniform_, a = sqrt 5)")).ToList();
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Take(7), row => Assert.EndsWith(" 0.167", row.TrimEnd()));
        Assert.EndsWith(" 0.333", rows[7].TrimEnd());
        Assert.Contains("regime: vanishing", r.Stdout);
        Assert.Contains("1 file(s), 1 model(s), 1 warning(s)", r.Stdout);
    }

    [Fact]
    public void Critical_NoWarning_ExitZero()
    {
        var path = Write(Cli.TempDirectory(), "Critical.cs", Critical);
        var r = Cli.Run("check", path);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("warning FPT", r.Stdout);
        var rows = r.Stdout.Split('\n').Where(l => l.Contains("kaiming_normal_")).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows.Take(3), row => Assert.EndsWith(" 1", row.TrimEnd())); // chi = 2 * 1/2 exactly
        Assert.Contains("deciles of squared singular values: ", r.Stdout);
        Assert.Contains("0 warning(s)", r.Stdout);
    }

    [Fact]
    public void LargeRate_WarnsFpt003AtTheRate()
    {
        var path = Write(Cli.TempDirectory(), "Rate.cs", LargeRate);
        var r = Cli.Run("check", path);
        Assert.Equal(1, r.ExitCode);
        var (line, column) = Position(LargeRate, "10.0)");
        Assert.Contains($"({line},{column}): warning FPT003: SGD learning rate 10 is above the stability bound ", r.Stdout);
        Assert.Contains("mse_loss, mean reduction", r.Stdout);
    }

    [Fact]
    public void Json_DiagnosticsAndModels()
    {
        var dir = Cli.TempDirectory();
        Write(dir, "A.cs", DeepDefaults);
        Write(dir, "B.cs", Critical);
        var r = Cli.Run("check", dir, "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("files").GetInt32());
        Assert.Equal(1, root.GetProperty("warnings").GetInt32());
        var d = Assert.Single(root.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("FPT002", d.GetProperty("id").GetString());
        Assert.EndsWith("A.cs", d.GetProperty("file").GetString());
        var models = root.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        Assert.Equal("vanishing", models[0].GetProperty("regime").GetString());
        var chi = models[1].GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("chi").GetDouble()).ToList();
        Assert.All(chi.Take(3), c => Assert.Equal(1, c, 1e-12));
        var deciles = models[1].GetProperty("deciles").EnumerateArray().Select(x => x.GetDouble()).ToList();
        Assert.Equal(9, deciles.Count);
        Assert.True(deciles.Zip(deciles.Skip(1)).All(p => p.First <= p.Second), "deciles increase");
    }

    [Fact]
    public void Json_TwoModelsInOneFile_TheSecondDoesNotBorrowTheFirstsCollectionCount()
    {
        // The models table reads a file's models with one extractor: A's layers.Count = 4 must not bound B's loop over
        // its own layers, which come from a helper (B used to be reported as 4 tanh layers next to its FPT005).
        var dir = Cli.TempDirectory();
        Write(dir, "Two.cs", Usings + """
            using TorchSharp.Modules;

            public sealed class A : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers = new ModuleList<Linear>();

                public A() : base(nameof(A))
                {
                    for (int i = 0; i < 4; i++) layers.Add(Linear(16, 16));
                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++) x = layers[i].forward(x).tanh();
                    return x;
                }
            }

            public sealed class B : Module<Tensor, Tensor>
            {
                private readonly ModuleList<Linear> layers;
                private readonly Linear fc = Linear(16, 16);

                public B() : base(nameof(B))
                {
                    layers = Make();
                    RegisterComponents();
                }

                private static ModuleList<Linear> Make() => new ModuleList<Linear>();

                public override Tensor forward(Tensor x)
                {
                    for (int i = 0; i < layers.Count; i++) x = fc.forward(x).tanh();
                    return x;
                }
            }
            """);
        var r = Cli.Run("check", dir, "--json");
        using var doc = JsonDocument.Parse(r.Stdout);
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(new[] { "A", "B" }, models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(4, models[0].GetProperty("depth").GetInt32());
        Assert.False(models[1].TryGetProperty("depth", out _), "B's loop bound is not known");
        Assert.Equal("forward contains a loop (the number of layers it applies is not read)", models[1].GetProperty("notAnalysable").GetString());
    }

    [Fact]
    public void Svg_OnePlotPerModel()
    {
        var dir = Cli.TempDirectory();
        Write(dir, "A.cs", DeepDefaults);
        Write(dir, "B.cs", Critical);
        var plots = Path.Combine(Cli.TempDirectory(), "plots");
        var r = Cli.Run("check", dir, "--svg", plots);
        Assert.Equal(1, r.ExitCode);
        var files = Directory.GetFiles(plots, "*.svg").Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal(2, files.Count);
        Assert.StartsWith("A.model.", files[0]);
        Assert.StartsWith("B.model.", files[1]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(plots, files[0]!)));
    }

    [Fact]
    public void WithoutFix_FilesUntouched()
    {
        var path = Write(Cli.TempDirectory(), "Deep.cs", DeepDefaults);
        Cli.Run("check", path);
        Assert.Equal(DeepDefaults, File.ReadAllText(path));
    }

    [Fact]
    public void Fix_RewritesCopy_SecondRunClean()
    {
        var dir = Cli.TempDirectory();
        var deep = Write(dir, "Deep.cs", DeepDefaults);
        var rate = Write(dir, "Rate.cs", LargeRate.Replace("init.NonlinearityType.ReLU", "init.NonlinearityType.ReLU").Replace("learningRate: 10.0", "learningRate: /* tuned */ 10.0"));
        var fixedRun = Cli.Run("check", dir, "--fix");
        Assert.Contains("fixed 2 file(s)", fixedRun.Stderr);
        Assert.Equal(0, fixedRun.ExitCode);
        Assert.Contains("kaiming_normal_(parameter, nonlinearity: torch.nn.init.NonlinearityType.ReLU)", File.ReadAllText(deep));
        Assert.Contains("learningRate: /* tuned */ 0.", File.ReadAllText(rate));
        var second = Cli.Run("check", dir);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("warning FPT", second.Stdout);
    }

    [Fact]
    public void EditorConfig_NextToTheFiles_IsHonoured()
    {
        var dir = Cli.TempDirectory();
        Write(dir, "Deep.cs", DeepDefaults);
        Write(dir, ".editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.FPT002.severity = none\n");
        var r = Cli.Run("check", dir);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("FPT002", r.Stdout);
        Assert.Contains("regime: vanishing", r.Stdout); // the table still shows the model
    }
}
