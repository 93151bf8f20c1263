using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Rules;

/// <summary>
/// The sample model files in samples/Models, analysed as loose files (syntax fallback, no TorchSharp reference, as the
/// command line will read them). Expectations follow from the theory stated in each file's header.
/// </summary>
public sealed class SampleModelsTests
{
    private static string Sample(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "samples", "Models", name);
            if (File.Exists(path)) return File.ReadAllText(path);
        }

        throw new FileNotFoundException("samples/Models/" + name);
    }

    private static async Task<List<string>> IdsAsync(string file)
    {
        var run = await AnalyzerHarness.RunAsync(Sample(file), torchSharp: false);
        return run.Diagnostics.Select(d => d.Id).ToList();
    }

    [Fact]
    public async Task DeepReluOnDefaults_ReportsVanishing() => Assert.Equal(new[] { "FPT002", "FPT004" }, await IdsAsync("DeepReluOnDefaults.cs"));

    [Fact]
    public async Task MnistMlpKaiming_SummaryOnly() => Assert.Equal(new[] { "FPT004" }, await IdsAsync("MnistMlpKaiming.cs"));

    [Fact]
    public async Task LargeGaussianModule_ReportsExploding() => Assert.Equal(new[] { "FPT001", "FPT004" }, await IdsAsync("LargeGaussianModule.cs"));

    [Fact]
    public async Task ResidualMlp_ReportsNotAnalysable()
    {
        var run = await AnalyzerHarness.RunAsync(Sample("ResidualMlp.cs"), torchSharp: false);
        var d = AnalyzerHarness.Single(run, "FPT005");
        Assert.Contains("residual connections", d.GetMessage());
        Assert.Single(run.Diagnostics);
    }

    [Fact]
    public async Task SgdLearningRate_ReportsFpt003AndRateInSummary()
    {
        var run = await AnalyzerHarness.RunAsync(Sample("SgdLearningRate.cs"), torchSharp: false);
        Assert.Contains("optimizer SGD with learning rate 5", AnalyzerHarness.Single(run, "FPT004").GetMessage());
        Assert.StartsWith("SGD learning rate 5 is above the stability bound ", AnalyzerHarness.Single(run, "FPT003").GetMessage());
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "FPT001" or "FPT002" or "FPT005");
    }

    [Fact]
    public async Task ModuleListTanhRelu_ReportsVanishing() => Assert.Equal(new[] { "FPT002", "FPT004" }, await IdsAsync("ModuleListTanhRelu.cs"));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModuleListTanhRelu_Fixed_ChiOnePerLayer(bool torchSharp)
    {
        var fixedText = await CodeFixHarness.ApplyFirstFixAsync(Sample("ModuleListTanhRelu.cs"), torchSharp);
        Assert.Contains("torch.nn.init.normal_(layers[0].weight!", fixedText);
        await CodeFixHarness.AssertNoStabilityWarningAsync(new[] { fixedText }, torchSharp); // compiles against the stub, no warning
        var net = (await Extract.SingleArchitectureAsync(fixedText, torchSharp)).Network!;
        Assert.Equal(9, net.Depth);
        for (int l = 0; l < 4; l++)
        {
            // The written value (6 decimals) gives chi = 1 at the layer's own fixed point, to the rounding.
            Assert.Equal(ActivationKind.Tanh, net.Layers[l].Activation.Kind);
            Assert.Equal(1.0, CriticalGain.ChiAtFixedPoint(net.Layers[l].Activation, net.Layers[l].WeightVariance, net.Layers[l].BiasVariance), 1e-5);
        }

        Assert.All(net.Layers.Skip(4).Take(4), layer => Assert.Equal(2.0, layer.WeightVariance, 1e-12)); // kaiming_normal_ for ReLU
        Assert.Equal(1.0, net.Layers[8].WeightVariance, 1e-12);
    }
}
