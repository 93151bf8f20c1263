using System.Xml.Linq;
using Xunit;

namespace Diagnostics.Cli.Tests;

public class SpectrumReadableTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Readable_output_has_tables_regime_and_writes_the_svg()
    {
        string path = Path.Combine(Cli.TempDirectory(), "relu.svg");
        var result = Cli.Run("spectrum", "--widths", "784,512,256,10", "--activation", "relu", "--last-activation", "identity",
            "--weight-variance", "2", "--svg", path, "--grid-points", "60");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        foreach (var text in new[] { "layer", "784\u2192512", "identity", "\u03c7_l", "layer gain", "mean", "atom at zero", "support", "critical", "Deciles", "non-zero part" })
            Assert.Contains(text, result.Stdout);
        Assert.Contains(Path.GetFullPath(path), result.Stdout);

        var doc = XDocument.Load(path);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.NotEmpty(doc.Descendants(Svg + "path"));
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("atom at zero"));
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("784\u2192512\u2192256\u219210"));
    }

    [Fact]
    public void Vanishing_relu_explains_and_advises_the_critical_variance()
    {
        var result = Cli.Run("spectrum", "--widths", "100,100,100,100,100,100,100,100,100,100,100", "--activation", "relu",
            "--weight-variance", "1", "--no-svg", "--grid-points", "40");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("vanishing", result.Stdout);
        Assert.Contains("advice", result.Stdout);

        var net = Diagnostics.Spectra.Architecture.NetworkArchitecture.Uniform(Enumerable.Repeat(100, 11).ToArray(),
            Diagnostics.Spectra.Architecture.Activation.Relu, 1);
        var law = Diagnostics.Spectra.Laws.JacobianSpectrum.Compute(net, new Diagnostics.Spectra.Laws.SpectrumOptions { GridPoints = 40 });
        var text = Diagnostics.Cli.Formatting.RegimeText.Describe(law);
        Assert.Equal("vanishing", text.Name);
        Assert.Contains("from 1 to 2, the critical value for relu", text.Advice);
    }

    [Fact]
    public void Exploding_linear_layer_advises_a_smaller_variance()
    {
        var net = Diagnostics.Spectra.Architecture.NetworkArchitecture.Uniform(new[] { 50, 200 },
            Diagnostics.Spectra.Architecture.Activation.Identity, 100);
        var law = Diagnostics.Spectra.Laws.JacobianSpectrum.Compute(net, new Diagnostics.Spectra.Laws.SpectrumOptions { GridPoints = 40 });
        var text = Diagnostics.Cli.Formatting.RegimeText.Describe(law);
        Assert.Equal("exploding", text.Name);
        Assert.Contains("decrease", text.Advice);
    }

    [Fact]
    public void Json_with_svg_writes_the_plot_too()
    {
        string path = Path.Combine(Cli.TempDirectory(), "tanh.svg");
        var result = Cli.Run("spectrum", "--widths", "50,50,50,50", "--activation", "tanh", "--weight-variance", "1.2", "--json",
            "--svg", path, "--grid-points", "40", "--y-scale", "log");
        Assert.Equal(0, result.ExitCode);
        var doc = XDocument.Load(path);
        Assert.NotEmpty(doc.Descendants(Svg + "path"));
        Assert.Contains("\"svg\"", result.Stdout);
    }

    [Fact]
    public void Point_mass_plot_is_well_formed()
    {
        string path = Path.Combine(Cli.TempDirectory(), "point.svg");
        var result = Cli.Run("spectrum", "--widths", "20,20,20", "--activation", "identity", "--weight-variance", "1", "--init", "orthogonal",
            "--svg", path, "--grid-points", "20");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("single point", result.Stdout);
        var doc = XDocument.Load(path);
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value.Contains("point mass"));
    }
}
