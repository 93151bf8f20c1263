using System.Text.Json;
using Xunit;

namespace Diagnostics.Cli.Tests;

public class LrBoundTests
{
    [Fact]
    public void Json_ReluCritical_MeanIsDepthAndRatesFollowLambdaMax()
    {
        var r = Cli.Run("lr-bound", "--widths", "100,100,100,100,100", "--activation", "relu", "--weight-variance", "2", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Stdout);
        var root = doc.RootElement;
        // Eq. 32: square ReLU at sigma_w^2 = 2, q0 = 1 has mean L = 4.
        Assert.Equal(4, root.GetProperty("mean").GetDouble(), 1e-12);
        double lambdaMax = root.GetProperty("lambda_max").GetDouble();
        Assert.True(lambdaMax > 4);
        Assert.Equal(2 / lambdaMax, root.GetProperty("max_stable_lr").GetDouble(), 1e-15);
        Assert.Equal(1 / lambdaMax, root.GetProperty("max_stable_lr_torch_mse_loss_mean").GetDouble(), 1e-15);
        Assert.Contains("1/(2M)", root.GetProperty("loss_normalisation").GetString());
        var q = root.GetProperty("quantiles");
        double previous = 0;
        for (int k = 1; k <= 9; k++)
        {
            double v = q.GetProperty("0." + k).GetDouble();
            Assert.True(v >= previous && v <= lambdaMax);
            previous = v;
        }
    }

    [Fact]
    public void Readable_ShowsLambdaMaxAndRates()
    {
        var r = Cli.Run("lr-bound", "--widths", "50,60,40,10", "--activation", "tanh", "--weight-variance", "1.5", "--init", "orthogonal");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("lambda_max", r.Stdout);
        Assert.Contains("mse_loss", r.Stdout);
        Assert.Equal("", r.Stderr);
    }

    [Theory]
    [InlineData("--widths", "100", "--activation", "relu", "--weight-variance", "2")]
    [InlineData("--widths", "100,100", "--activation", "nope", "--weight-variance", "2")]
    [InlineData("--widths", "100,100", "--activation", "relu", "--weight-variance", "-1")]
    [InlineData("--widths", "100,100", "--activation", "relu", "--weight-variance", "2", "--init", "uniform")]
    [InlineData("--widths", "100,100", "--activation", "relu")]
    public void BadArguments_OneStderrLine_ExitTwo(params string[] args)
    {
        var r = Cli.Run(new[] { "lr-bound" }.Concat(args).ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Equal("", r.Stdout);
    }
}

public class LrBoundSvgTests
{
    [Fact]
    public void Svg_IsWritten_AndWellFormed()
    {
        string file = Path.Combine(Cli.TempDirectory(), "fisher.svg");
        var r = Cli.Run("lr-bound", "--widths", "100,100,100,100", "--activation", "relu", "--weight-variance", "2", "--svg", file, "--json");
        Assert.Equal(0, r.ExitCode);
        var xml = System.Xml.Linq.XDocument.Load(file);
        Assert.Equal("svg", xml.Root!.Name.LocalName);
    }
}
