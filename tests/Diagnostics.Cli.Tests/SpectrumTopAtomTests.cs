using System.Text.Json;
using MathNet.Numerics;
using Xunit;

namespace Diagnostics.Cli.Tests;

/// <summary>The point mass at the top of the law in the `spectrum` output (orthogonal hard tanh).</summary>
public class SpectrumTopAtomTests
{
    /// <summary>
    /// Square orthogonal hard tanh, sigma_w^2 = 1, no bias, q_0 = 1: q_1 = 1, q_{l+1} = E[hardtanh(sqrt(q_l) Z)^2],
    /// p_l = erf(1 / sqrt(2 q_l)); the top atom is sum p_l - (L - 1) at prod sigma^2 = 1 (free projections).
    /// </summary>
    [Fact]
    public void OrthogonalHardTanh_json_reports_the_top_atom_at_the_product_of_gains()
    {
        const int depth = 5;
        var result = Cli.Run("spectrum", "--widths", string.Join(",", Enumerable.Repeat(500, depth + 1)), "--activation", "hardtanh",
            "--weight-variance", "1", "--init", "orthogonal", "--json", "--grid-points", "100");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;

        double q = 1, sumP = 0;
        for (int l = 0; l < depth; l++)
        {
            double p = SpecialFunctions.Erf(1 / Math.Sqrt(2 * q));
            sumP += p;
            // E[hardtanh(sqrt(q) Z)^2] = q P(|Z| < 1/sqrt q) - 2 sqrt(q) phi(1/sqrt q) + P(|Z| > 1/sqrt q).
            double t = 1 / Math.Sqrt(q);
            double phi = Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
            q = q * (p - 2 * t * phi) + (1 - p);
        }

        Assert.Equal(sumP - (depth - 1), json.GetProperty("atom_at_top").GetDouble(), 6);
        Assert.Equal(1.0, json.GetProperty("support")[1].GetDouble(), 9);
        Assert.True(json.GetProperty("continuous_upper").GetDouble() < 1);
        Assert.Equal(1.0, json.GetProperty("quantiles_nonzero").GetProperty("0.9").GetDouble(), 9);

        var readable = Cli.Run("spectrum", "--widths", string.Join(",", Enumerable.Repeat(500, depth + 1)), "--activation", "hardtanh",
            "--weight-variance", "1", "--init", "orthogonal", "--grid-points", "100", "--no-svg");
        Assert.True(readable.ExitCode == 0, readable.Stderr);
        Assert.Contains("atom at the top", readable.Stdout);
    }
}
