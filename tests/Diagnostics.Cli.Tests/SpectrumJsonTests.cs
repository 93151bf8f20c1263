using System.Globalization;
using System.Text.Json;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Xunit;

namespace Diagnostics.Cli.Tests;

public class SpectrumJsonTests
{
    private static readonly string[] RequiredKeys =
    {
        "atom_at_zero", "atom_at_zero_output", "mean", "moments", "support", "quantiles", "quantiles_nonzero", "chi", "q",
        "regime", "spread_decades", "well_conditioned", "total_mass", "eta", "depth", "widths", "grid_points",
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
    public void Relu_five_square_layers_at_criticality_has_mean_one_and_half_atom()
    {
        var json = Json("spectrum", "--widths", "1000,1000,1000,1000,1000,1000", "--activation", "relu", "--weight-variance", "2",
            "--json", "--grid-points", "60");
        foreach (var key in RequiredKeys) Assert.True(json.TryGetProperty(key, out _), $"missing key {key}");
        Assert.Equal(1.0, json.GetProperty("mean").GetDouble(), 10);
        Assert.Equal(0.5, json.GetProperty("atom_at_zero").GetDouble(), 12);
        Assert.Equal(0.5, json.GetProperty("atom_at_zero_output").GetDouble(), 12);
        Assert.Equal(5, json.GetProperty("depth").GetInt32());
        Assert.Equal(60, json.GetProperty("grid_points").GetInt32());
        Assert.Equal(6, json.GetProperty("widths").GetArrayLength());
        Assert.Equal("critical", json.GetProperty("regime").GetString());
        Assert.All(json.GetProperty("chi").EnumerateArray(), c => Assert.Equal(1.0, c.GetDouble(), 12));
        Assert.All(json.GetProperty("q").EnumerateArray(), q => Assert.Equal(2.0, q.GetDouble(), 12));
        Assert.Equal(2, json.GetProperty("support").GetArrayLength());
        Assert.Equal(0.0, json.GetProperty("support")[0].GetDouble());
        Assert.Equal(1.0, json.GetProperty("moments")[0].GetDouble(), 10);
        var deciles = json.GetProperty("quantiles").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9" }, deciles);
        Assert.Equal(0.0, json.GetProperty("quantiles").GetProperty("0.5").GetDouble()); // inside the atom
        Assert.True(json.GetProperty("quantiles_nonzero").GetProperty("0.5").GetDouble() > 0);
        Assert.Equal(1.0, json.GetProperty("total_mass").GetDouble(), 2);
        Assert.False(json.TryGetProperty("density", out _));
    }

    [Fact]
    public void Values_agree_with_a_direct_engine_call()
    {
        var json = Json("spectrum", "--widths", "784,512,256,10", "--activation", "relu", "--last-activation", "identity",
            "--weight-variance", "2", "--json", "--grid-points", "80");
        var net = NetworkArchitecture.Uniform(new[] { 784, 512, 256, 10 }, Activation.Relu, 2, lastActivation: Activation.Identity);
        var law = JacobianSpectrum.Compute(net, new SpectrumOptions { GridPoints = 80 });

        Assert.Equal(law.Mean, json.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(law.AtomAtZero, json.GetProperty("atom_at_zero").GetDouble(), 12);
        Assert.Equal(law.AtomAtZeroOutput, json.GetProperty("atom_at_zero_output").GetDouble(), 12);
        Assert.Equal(law.SupportLower, json.GetProperty("support")[0].GetDouble(), 12);
        Assert.Equal(law.SupportUpper, json.GetProperty("support")[1].GetDouble(), 12);
        Assert.Equal(law.Moments, json.GetProperty("moments").EnumerateArray().Select(m => m.GetDouble()).ToArray());
        Assert.Equal(law.Propagation.Chi, json.GetProperty("chi").EnumerateArray().Select(m => m.GetDouble()).ToArray());
        Assert.Equal(law.Propagation.Q, json.GetProperty("q").EnumerateArray().Select(m => m.GetDouble()).ToArray());
        foreach (var (level, value) in law.QuantilesNonZero())
            Assert.Equal(value, json.GetProperty("quantiles_nonzero").GetProperty(level.ToString(CultureInfo.InvariantCulture)).GetDouble(), 12);
        foreach (var (level, value) in law.Quantiles())
            Assert.Equal(value, json.GetProperty("quantiles").GetProperty(level.ToString(CultureInfo.InvariantCulture)).GetDouble(), 12);
        Assert.Equal(law.Spread, json.GetProperty("spread_decades").GetDouble(), 12);
        Assert.Equal(law.IsWellConditioned, json.GetProperty("well_conditioned").GetBoolean());
        Assert.Equal(law.TotalMass, json.GetProperty("total_mass").GetDouble(), 12);
        Assert.Equal(law.EtaDescription, json.GetProperty("eta").GetString());
        Assert.Equal(1 - 10.0 / 784, json.GetProperty("atom_at_zero").GetDouble(), 12);
        Assert.Equal(new[] { "relu", "relu", "identity" }, json.GetProperty("activations").EnumerateArray().Select(a => a.GetString()).ToArray());
    }

    [Fact]
    public void Per_layer_lists_set_each_layer()
    {
        var json = Json("spectrum", "--widths", "50,60,70,40", "--activation", "relu,tanh,identity", "--weight-variance", "2,1.5,1",
            "--bias-variance", "0,0.1,0.2", "--json", "--grid-points", "40");
        Assert.Equal(new[] { "relu", "tanh", "identity" }, json.GetProperty("activations").EnumerateArray().Select(a => a.GetString()).ToArray());
        Assert.Equal(new[] { 2, 1.5, 1 }, json.GetProperty("weight_variances").EnumerateArray().Select(a => a.GetDouble()).ToArray());
        Assert.Equal(new[] { 0, 0.1, 0.2 }, json.GetProperty("bias_variances").EnumerateArray().Select(a => a.GetDouble()).ToArray());

        var layers = new[]
        {
            new Layer(Activation.Relu, 2, 0), new Layer(Activation.Tanh, 1.5, 0.1), new Layer(Activation.Identity, 1, 0.2),
        };
        var law = JacobianSpectrum.Compute(new NetworkArchitecture(new[] { 50, 60, 70, 40 }, layers), new SpectrumOptions { GridPoints = 40 });
        Assert.Equal(law.Mean, json.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(law.Propagation.Chi, json.GetProperty("chi").EnumerateArray().Select(m => m.GetDouble()).ToArray());
        Assert.Equal(1.0, json.GetProperty("chi")[0].GetDouble(), 12); // relu at sigma_w^2 = 2
        Assert.Equal(1.0, json.GetProperty("chi")[2].GetDouble(), 12); // identity at sigma_w^2 = 1
    }

    [Fact]
    public void Last_activation_defaults_to_activation_and_leaky_slope_is_used()
    {
        var json = Json("spectrum", "--widths", "30,30,30", "--activation", "leaky_relu", "--slope", "0.5", "--weight-variance", "1.6",
            "--json", "--grid-points", "30");
        Assert.Equal(new[] { "leaky_relu", "leaky_relu" }, json.GetProperty("activations").EnumerateArray().Select(a => a.GetString()).ToArray());
        Assert.Equal(0.5, json.GetProperty("leaky_slope").GetDouble());
        // chi = sigma_w^2 (1 + s^2) / 2 = 1.6 * 1.25 / 2 = 1.
        Assert.All(json.GetProperty("chi").EnumerateArray(), c => Assert.Equal(1.0, c.GetDouble(), 12));
    }

    [Fact]
    public void Orthogonal_linear_network_is_a_point_mass()
    {
        var json = Json("spectrum", "--widths", "20,20,20", "--activation", "identity", "--weight-variance", "1", "--init", "orthogonal",
            "--json", "--grid-points", "20");
        Assert.True(json.GetProperty("point_mass").GetBoolean());
        Assert.Equal(1.0, json.GetProperty("support")[0].GetDouble(), 9);
        Assert.Equal(1.0, json.GetProperty("support")[1].GetDouble(), 9);
        Assert.Equal(0.0, json.GetProperty("spread_decades").GetDouble(), 12);
        Assert.True(json.GetProperty("well_conditioned").GetBoolean());
    }

    [Fact]
    public void Density_flag_adds_the_grid()
    {
        var json = Json("spectrum", "--widths", "100,100", "--activation", "relu", "--weight-variance", "2", "--json", "--density",
            "--grid-points", "25");
        var density = json.GetProperty("density");
        Assert.Equal(25, density.GetProperty("x").GetArrayLength());
        Assert.Equal(25, density.GetProperty("density").GetArrayLength());
        var x = density.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.True(x.Zip(x.Skip(1)).All(p => p.Second > p.First));
        Assert.All(density.GetProperty("density").EnumerateArray(), v => Assert.True(v.GetDouble() >= 0));
    }

    [Fact]
    public void Json_output_is_one_object_on_stdout()
    {
        var result = Cli.Run("spectrum", "--widths", "10,10", "--activation", "tanh", "--weight-variance", "1", "--json", "--grid-points", "20");
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public void Time_prints_the_median_to_stderr()
    {
        var result = Cli.Run("spectrum", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2", "--json", "--time",
            "--grid-points", "20");
        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("compute_ms=", line);
        double ms = double.Parse(line["compute_ms=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(ms > 0 && ms < 2000, line);
        using var doc = JsonDocument.Parse(result.Stdout);
    }
}
