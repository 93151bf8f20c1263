using System.Text.Json;
using Xunit;

namespace Diagnostics.Cli.Tests;

/// <summary><c>fpt spectrum --residual</c>: JSON keys and values against closed forms, readable output, SVG, and usage errors.</summary>
public class ResidualSpectrumTests
{
    private static readonly string[] Valid =
    {
        "spectrum", "--residual", "--depth", "20", "--width", "500", "--activation", "relu", "--weight-variance", "2", "--no-svg",
    };

    private static readonly string[] RequiredKeys =
    {
        "atom_at_zero", "mean", "support", "quantiles", "quantiles_nonzero", "chi", "q", "regime", "effective_cumulant",
        "spread_decades", "well_conditioned", "total_mass", "eta", "depth", "widths", "grid_points", "skip_scale", "kappa",
    };

    private static JsonElement Json(params string[] args)
    {
        var result = Cli.Run(args);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Relu_at_a_one_has_c_half_sigma_and_the_closed_form_mean_and_edges()
    {
        var json = Json("spectrum", "--residual", "--depth", "20", "--width", "500", "--activation", "relu", "--weight-variance", "2",
            "--skip-scale", "1", "--json", "--grid-points", "100");
        foreach (var key in RequiredKeys) Assert.True(json.TryGetProperty(key, out _), $"missing key {key}");
        // ReLU: c_2^l = sigma_W^2 / 2 = 1 at every block, so c = 1, kappa = 1, mean e, edges zeta(m+-) with m+- = (-1 +- sqrt 3)/2.
        Assert.Equal(1.0, json.GetProperty("effective_cumulant").GetDouble(), 12);
        Assert.Equal(Math.E, json.GetProperty("mean").GetDouble(), 10);
        Assert.Equal(Math.Pow(1.05, 20), json.GetProperty("finite_depth_mean").GetDouble(), 10);
        Assert.Equal(0.0, json.GetProperty("atom_at_zero").GetDouble());
        static double Zeta(double m) => (1 + m) * Math.Exp(1 + 2 * m) / m;
        Assert.Equal(Zeta((-1 - Math.Sqrt(3)) / 2), json.GetProperty("support")[0].GetDouble(), 10);
        Assert.Equal(Zeta((-1 + Math.Sqrt(3)) / 2), json.GetProperty("support")[1].GetDouble(), 10);
        Assert.Equal(20, json.GetProperty("depth").GetInt32());
        Assert.Equal(21, json.GetProperty("widths").GetArrayLength());
        Assert.Equal(20, json.GetProperty("q").GetArrayLength());
        Assert.All(json.GetProperty("chi").EnumerateArray(), c => Assert.Equal(1.0, c.GetDouble(), 12));
        // q^1 = (sigma_W^2 / L) q_0 = 0.1.
        Assert.Equal(0.1, json.GetProperty("q")[0].GetDouble(), 12);
        Assert.Equal(1.0, json.GetProperty("total_mass").GetDouble(), 5);
        // The normalised law is invariant under lambda -> 1/lambda (a = 1): median 1, q10 q90 = 1 (grid accuracy 1e-3).
        var quantiles = json.GetProperty("quantiles");
        Assert.Equal(1.0, quantiles.GetProperty("0.5").GetDouble(), 3);
        Assert.Equal(1.0, quantiles.GetProperty("0.1").GetDouble() * quantiles.GetProperty("0.9").GetDouble(), 3);
        Assert.Equal(quantiles.GetProperty("0.3").GetDouble(), json.GetProperty("quantiles_nonzero").GetProperty("0.3").GetDouble());
        Assert.Equal("critical", json.GetProperty("regime").GetString());
        Assert.False(json.TryGetProperty("density", out _));
    }

    [Fact]
    public void Skip_scale_multiplies_the_law_by_a_to_the_2L()
    {
        // Identity activation: c = sigma_W^2 whatever a, so the law at a is a^{2L} times the law of kappa = sigma_W^2/a^2.
        var json = Json("spectrum", "--residual", "--depth", "10", "--width", "100", "--activation", "identity", "--weight-variance", "0.5",
            "--skip-scale", "1.1", "--json", "--grid-points", "50");
        double scale = Math.Pow(1.1, 20);
        double kappa = 0.5 / 1.21;
        Assert.Equal(scale, json.GetProperty("scale").GetDouble(), 8);
        Assert.Equal(kappa, json.GetProperty("kappa").GetDouble(), 12);
        Assert.Equal(scale * Math.Exp(kappa), json.GetProperty("mean").GetDouble(), 8);
        Assert.Equal(1.1, json.GetProperty("skip_scale").GetDouble());
    }

    [Fact]
    public void Density_option_adds_a_grid_that_integrates_to_one()
    {
        var json = Json("spectrum", "--residual", "--depth", "10", "--width", "100", "--activation", "tanh", "--weight-variance", "1",
            "--json", "--density", "--grid-points", "200");
        var x = json.GetProperty("density").GetProperty("x").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var rho = json.GetProperty("density").GetProperty("density").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(200, x.Length);
        double lower = json.GetProperty("support")[0].GetDouble(), upper = json.GetProperty("support")[1].GetDouble();
        // Trapezoid rule with zero density at both (square-root) edges: error O(h^1.5) at the edges, 1e-2 on 200 points.
        double mass = 0;
        var xs = new[] { lower }.Concat(x).Append(upper).ToArray();
        var ys = new[] { 0.0 }.Concat(rho).Append(0.0).ToArray();
        for (int i = 1; i < xs.Length; i++) mass += 0.5 * (ys[i] + ys[i - 1]) * (xs[i] - xs[i - 1]);
        Assert.InRange(mass, 0.99, 1.01);
    }

    [Fact]
    public void Readable_output_has_tables_and_writes_the_svg()
    {
        string dir = Cli.TempDirectory();
        string svg = Path.Combine(dir, "residual.svg");
        var result = Cli.Run("spectrum", "--residual", "--depth", "30", "--width", "500", "--activation", "gelu", "--weight-variance", "1.5",
            "--bias-variance", "0.1", "--grid-points", "100", "--svg", svg);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Residual Jacobian spectrum", result.Stdout);
        Assert.Contains("effective cumulant", result.Stdout);
        Assert.Contains("Deciles", result.Stdout);
        Assert.Contains("\u2026", result.Stdout); // long networks: middle blocks elided
        string text = File.ReadAllText(svg);
        Assert.StartsWith("<svg", text.TrimStart().Substring(text.TrimStart().IndexOf("<svg", StringComparison.Ordinal)));
        Assert.Contains("Residual Jacobian spectrum", text);
        Assert.Contains("<path", text);
    }

    private static string[] With(params string[] replacements)
    {
        var args = Valid.ToList();
        for (int i = 0; i < replacements.Length; i += 2)
        {
            int at = args.IndexOf(replacements[i]);
            if (at >= 0) args[at + 1] = replacements[i + 1];
            else args.AddRange(new[] { replacements[i], replacements[i + 1] });
        }

        return args.ToArray();
    }

    private static string[] Without(string option)
    {
        var args = Valid.ToList();
        int at = args.IndexOf(option);
        args.RemoveRange(at, 2);
        return args.ToArray();
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { With("--widths", "10,10,10"), "--residual takes --depth L and --width N instead of --widths" },
        { Without("--depth"), "--residual needs --depth L" },
        { Without("--width"), "--residual needs --width N" },
        { With("--depth", "0"), "--depth must be a positive integer, got 0" },
        { With("--depth", "2.5"), "--depth must be an integer" },
        { With("--width", "-3"), "--width must be a positive integer, got -3" },
        { With("--skip-scale", "0"), "skip scale (--skip-scale) must be > 0, got 0" },
        { With("--skip-scale", "abc"), "could not parse skip scale (--skip-scale) 'abc'" },
        { With("--activation", "relu,tanh"), "--residual takes one --activation for every block" },
        { With("--activation", "swoosh"), "unknown activation 'swoosh'" },
        { With("--weight-variance", "1,2"), "--residual takes one --weight-variance for every block" },
        { With("--weight-variance", "0"), "weight variance must be > 0, got 0" },
        { With("--bias-variance", "-1"), "bias variance must be >= 0, got -1" },
        { With("--init", "orthogonal"), "--residual supports gaussian weights only" },
        { With("--last-activation", "identity"), "--last-activation cannot be combined with --residual" },
        { With("--grid-points", "5"), "--grid-points must be between 10 and 1000000" },
        { Valid.Concat(new[] { "--density" }).ToArray(), "--density" },
        { new[] { "spectrum", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2", "--depth", "3" }, "--depth describes a residual network; add --residual" },
        { new[] { "spectrum", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2", "--skip-scale", "1" }, "--skip-scale describes a residual network" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_give_one_stderr_line_and_exit_2(string[] args, string expected)
    {
        var result = Cli.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", result.StderrLines[0]);
        Assert.Contains(expected, result.StderrLines[0]);
    }

    [Fact]
    public void Help_documents_the_residual_options()
    {
        var result = Cli.Run("spectrum", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--residual", "--skip-scale", "--depth", "--width" }) Assert.Contains(option, result.Stdout);
        Assert.Contains("sigma_W^2/(L N)", result.Stdout);
    }

    [Fact]
    public void Too_small_a_skip_scale_is_a_convergence_failure_with_exit_3()
    {
        // kappa = c/a^2 = 1/(1e-4) is beyond the representable support: typed engine failure, exit 3, one line.
        var result = Cli.Run(With("--skip-scale", "0.01", "--activation", "identity", "--weight-variance", "1"));
        Assert.Equal(3, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.Contains("c/a^2", result.StderrLines[0]);
    }
}
