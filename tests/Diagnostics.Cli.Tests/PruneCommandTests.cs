using System.Text.Json;
using Xunit;

namespace Diagnostics.Cli.Tests;

/// <summary><c>fpt prune</c>: JSON fields against closed forms, readable output, and usage errors.</summary>
public class PruneCommandTests
{
    private static readonly string[] SpectrumKeys =
    {
        "atom_at_zero", "atom_at_zero_output", "mean", "moments", "support", "quantiles", "quantiles_nonzero", "chi", "q",
        "regime", "spread_decades", "well_conditioned", "total_mass", "eta", "depth", "widths", "grid_points",
    };

    private static readonly string[] PruningKeys =
    {
        "sparsity", "method", "rescaled", "variance_factor", "rescale_factor", "kept_weights", "pruned_layers", "spectral_norm_shrinkage",
        "mean_ratio", "sufficient_condition", "effective_weight_variances",
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
    public void RandomPruning_NotRescaled_ReluShrinksNormByPowerOfDensity()
    {
        // ReLU: the D^2 laws do not depend on q, so J^T J scales by prod (1 - s) over the pruned layers: with the input
        // layer dense and L - 1 = 3 layers pruned at s = 0.36, the norm shrinks by 0.64^(3/2) = 0.512 and the mean by 0.64^3.
        var json = Json("prune", "--widths", "300,300,300,300,300", "--activation", "relu", "--weight-variance", "2",
            "--sparsity", "0.36", "--no-rescale", "--pruned-layers", "2,3,4", "--json", "--grid-points", "80");
        foreach (var key in SpectrumKeys.Concat(PruningKeys)) Assert.True(json.TryGetProperty(key, out _), $"missing key {key}");
        Assert.Equal(0.36, json.GetProperty("sparsity").GetDouble(), 15);
        Assert.Equal("random", json.GetProperty("method").GetString());
        Assert.False(json.GetProperty("rescaled").GetBoolean());
        Assert.Equal(new[] { 1.0, 0.64, 0.64, 0.64 }, json.GetProperty("variance_factor").EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
        Assert.Equal(new[] { 2, 3, 4 }, json.GetProperty("pruned_layers").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(0.512, json.GetProperty("spectral_norm_shrinkage").GetDouble(), 6);
        Assert.Equal(Math.Pow(0.64, 3), json.GetProperty("mean_ratio").GetDouble(), 10);
        Assert.Equal(Math.Pow(0.64, 3), json.GetProperty("mean").GetDouble(), 10); // dense mean 1 at sigma_w^2 = 2
        Assert.Equal(new[] { 2.0, 2, 2, 2 }, json.GetProperty("weight_variances").EnumerateArray().Select(v => v.GetDouble()));
        var condition = json.GetProperty("sufficient_condition");
        Assert.Equal(Math.Pow(Math.Log(300), 5) / 300, condition.GetProperty("bound").GetDouble(), 9);
        Assert.False(condition.GetProperty("satisfied").GetBoolean());
        Assert.Equal(0.64, condition.GetProperty("density").GetDouble(), 12);
    }

    [Fact]
    public void MagnitudePruning_Rescaled_GivesTheDenseLaw()
    {
        var pruned = Json("prune", "--widths", "200,200,200", "--activation", "relu", "--weight-variance", "2", "--sparsity", "0.8",
            "--method", "magnitude", "--json", "--grid-points", "60");
        var dense = Json("spectrum", "--widths", "200,200,200", "--activation", "relu", "--weight-variance", "2", "--json", "--grid-points", "60");
        Assert.Equal("magnitude", pruned.GetProperty("method").GetString());
        Assert.True(pruned.GetProperty("rescaled").GetBoolean());
        Assert.Equal(1.0, pruned.GetProperty("spectral_norm_shrinkage").GetDouble(), 12);
        Assert.Equal(dense.GetProperty("mean").GetDouble(), pruned.GetProperty("mean").GetDouble(), 12);
        foreach (var level in new[] { "0.1", "0.5", "0.9" })
            Assert.Equal(dense.GetProperty("quantiles_nonzero").GetProperty(level).GetDouble(), pruned.GetProperty("quantiles_nonzero").GetProperty(level).GetDouble(), 12);
        // Variance factor near the limit (1 - s) + 2 tau phi(tau), tau = sqrt(2) erfinv(0.8) = 1.28155: 0.2 + 2 * 1.28155 * 0.175498 = 0.64982;
        // finite N = 40000 moves it by -tau s (1 - s) / (2 N phi(tau)) ~ -3e-6. Rescale factor v^(-1/2).
        foreach (var v in pruned.GetProperty("variance_factor").EnumerateArray()) Assert.Equal(0.64982, v.GetDouble(), 4);
        foreach (var r in pruned.GetProperty("rescale_factor").EnumerateArray()) Assert.Equal(1 / Math.Sqrt(0.64982), r.GetDouble(), 4);
        Assert.Equal(new long[] { 8000, 8000 }, pruned.GetProperty("kept_weights").EnumerateArray().Select(v => v.GetInt64()));
    }

    [Fact]
    public void Readable_ShowsPruningAndConditionTables()
    {
        var result = Cli.Run("prune", "--widths", "100,100,100", "--activation", "tanh", "--weight-variance", "1.2", "--sparsity", "0.5",
            "--no-rescale", "--grid-points", "40");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Pruning", result.Stdout);
        Assert.Contains("variance factor", result.Stdout);
        Assert.Contains("spectral norm pruned / dense", result.Stdout);
        Assert.Contains("log(100)^5/100", result.Stdout);
        Assert.Contains("Deciles", result.Stdout);
    }

    [Theory]
    [InlineData("1", "--sparsity must be in [0, 1)")]
    [InlineData("-0.2", "--sparsity must be in [0, 1)")]
    [InlineData("abc", "could not parse --sparsity")]
    public void BadSparsity_IsUsageError(string s, string message)
    {
        var result = Cli.Run("prune", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2", "--sparsity", s, "--json");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData(new[] { "--method", "lottery" }, "--method must be random or magnitude")]
    [InlineData(new[] { "--pruned-layers", "0" }, "--pruned-layers must be")]
    [InlineData(new[] { "--pruned-layers", "3" }, "pruned layer 3 does not exist")]
    [InlineData(new[] { "--pruned-layers", "1,1" }, "repeat")]
    [InlineData(new[] { "--init", "orthogonal" }, "Gaussian weights only")]
    public void BadPruningOptions_AreUsageErrors(string[] extra, string message)
    {
        var args = new[] { "prune", "--widths", "10,10,10", "--activation", "relu", "--weight-variance", "2", "--sparsity", "0.5" }.Concat(extra).ToArray();
        var result = Cli.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void Svg_IsWrittenOnlyWhenAsked()
    {
        string dir = Cli.TempDirectory();
        string file = Path.Combine(dir, "pruned.svg");
        var result = Cli.Run("prune", "--widths", "100,100,100", "--activation", "relu", "--weight-variance", "2", "--sparsity", "0.5",
            "--no-rescale", "--grid-points", "40", "--json", "--svg", file);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(file));
        Assert.Contains("<svg", File.ReadAllText(file));
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(Path.GetFullPath(file), doc.RootElement.GetProperty("svg").GetString());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MissingSparsity_IsUsageError()
    {
        var result = Cli.Run("prune", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--sparsity", result.Stderr);
    }
}
