using Diagnostics.Analyzers.Tests.Harness;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// The per-layer form the critical-gain fix writes (a counter over the weights of named_parameters() and a switch on
/// it) read back by the extractor: the k-th weight of a Sequential is its k-th Linear layer; a counter that does not
/// start at 0 right before the loop, or a case beyond the last weight, is reported, not guessed.
/// </summary>
public sealed class PerLayerSwitchExtractionTests
{
    private static string Model(string counter, string cases) => Sources.Usings + $$"""

        public static class Models
        {
            public static Module<Tensor, Tensor> Build()
            {
                var model = Sequential(Linear(16, 32), Tanh(), Linear(32, 32), ReLU(), Linear(32, 4));
                {{counter}}
                foreach (var (name, p) in model.named_parameters())
                {
                    if (name.EndsWith("weight"))
                    {
                        switch (k++)
                        {
                            {{cases}}
                        }
                    }
                }

                return model;
            }
        }
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SwitchOnWeightCounter_AppliesPerLayer(bool torchSharp)
    {
        var source = Model("var k = 0;", """
            case 0: init.normal_(p, 0.0, 0.25); break;
                            case 1: init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU); break;
                            case 2: init.orthogonal_(p, gain: 3.0); break;
            """);
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        var w = mapped.Network!.Layers.Select(l => l.WeightVariance).ToArray();
        Assert.Equal(0.25 * 0.25 * 16, w[0], 1e-12); // std^2 fan_in
        Assert.Equal(2.0, w[1], 1e-12);              // kaiming ReLU
        Assert.Equal(9.0, w[2], 1e-12);              // orthogonal gain^2
    }

    [Theory]
    [InlineData("var k = 1;", "case 0: init.normal_(p, 0.0, 0.25); break;", "the counter 'k' is not declared as 0 right before the loop")]
    [InlineData("var k = 0;", "case 3: init.normal_(p, 0.0, 0.25); break;", "case 3 of 3 weights")]
    public async Task SwitchNotUnderstood_Reported(string counter, string cases, string reason)
    {
        var mapped = await Extract.SingleArchitectureAsync(Model(counter, cases));
        Assert.Null(mapped.Network);
        Assert.Equal($"Linear layer 1: normal_: the per-layer switch over the parameters of 'model' is not understood ({reason})", mapped.Failure);
    }
}
