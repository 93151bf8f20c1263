using Diagnostics.Analyzers.Tests.Harness;
using Diagnostics.Spectra.Architecture;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// Reading models out of source, with TorchSharp referenced (semantic) and as loose files (syntax fallback). Expected
/// variances are the closed forms of each init: kaiming gain^2 fan_in / fan, xavier 2 gain^2 fan_in / (fan_in + fan_out),
/// normal_ std^2 fan_in, uniform_(-a, a) a^2 fan_in / 3, orthogonal gain^2.
/// </summary>
public sealed class ModelExtractionTests
{
    private const double Tolerance = 1e-12; // exact arithmetic up to round-off

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModuleSubclass_ForwardOrderAndInits(bool torchSharp)
    {
        var source = Sources.Usings + """

            public sealed class Mlp : Module<Tensor, Tensor>
            {
                private const int Hidden = 300;
                private readonly Linear fc1, fc2, fc3, fc4;

                public Mlp() : base(nameof(Mlp))
                {
                    fc1 = Linear(784, Hidden);
                    fc2 = Linear(Hidden, Hidden / 3, hasBias: false);
                    this.fc3 = Linear(Hidden / 3, (int)(Hidden * 0.5));
                    fc4 = Linear(150, 10);
                    init.kaiming_normal_(fc1.weight!, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    init.xavier_uniform_(fc2.weight!, init.calculate_gain(init.NonlinearityType.Tanh));
                    using (torch.no_grad())
                    {
                        init.normal_(fc3.weight!, 0, Math.Sqrt(2.0 / 100));
                        init.uniform_(fc3.bias!, -0.1, 0.1);
                        init.orthogonal_(fc4.weight!, gain: Math.Pow(2, 0.5));
                        init.zeros_(fc4.bias!);
                    }

                    RegisterComponents();
                }

                public override Tensor forward(Tensor x)
                {
                    using var scope = torch.NewDisposeScope();
                    var h = fc1.forward(x.view(-1, 784)).relu();
                    h = torch.tanh(fc2.forward(h));
                    h = fc4.forward(functional.leaky_relu(fc3.forward(h), 0.2));
                    return h.MoveToOuterDisposeScope();
                }
            }
            """;
        var mapped = await Extract.SingleArchitectureAsync(source, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        var net = mapped.Network!;
        Assert.Equal(new[] { 784, 300, 100, 150, 10 }, net.Widths);
        Assert.Equal(new[] { "relu", "tanh", "leaky_relu(0.2)", "identity" }, net.Layers.Select(l => l.Activation.ToString()));
        Assert.Equal(2.0 * 784 / 300, net.Layers[0].WeightVariance, Tolerance);             // kaiming FanOut, gain^2 = 2
        Assert.Equal(1.0 / (3 * 784), net.Layers[0].BiasVariance, Tolerance);               // default bias U(+-1/sqrt 784)
        Assert.Equal(2 * 25.0 / 9 * 300 / 400, net.Layers[1].WeightVariance, Tolerance);    // xavier, gain 5/3
        Assert.Equal(0, net.Layers[1].BiasVariance);                                        // hasBias: false
        Assert.Equal(2.0, net.Layers[2].WeightVariance, Tolerance);                          // std^2 fan_in = (2/100) 100
        Assert.Equal(0.01 / 3, net.Layers[2].BiasVariance, Tolerance);                       // U(-0.1, 0.1)
        Assert.Equal(2.0, net.Layers[3].WeightVariance, Tolerance);
        Assert.Equal(WeightDistribution.Orthogonal, net.Layers[3].Weights);
        Assert.Equal(0, net.Layers[3].BiasVariance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SequentialWithTuplesNestingAndVariables(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    const long inputs = 20;
                    var first = Linear(inputs, 40);
                    var block = Sequential(("fc", Linear(40, 40)), ("act", GELU()));
                    var model = torch.nn.Sequential(("first", first), ("relu", LeakyReLU(0.1)), ("block", block), ("out", Linear(40, 5, false)), ("sig", Sigmoid()));
                    init.kaiming_uniform_(first.weight!, a: 0.1, nonlinearity: init.NonlinearityType.LeakyReLU);
                    init.constant_(first.bias!, 0);
                    return model;
                }
            }
            """;
        var models = await Extract.ModelsAsync(source, torchSharp);
        Assert.Single(models); // block is part of model, not a root
        var mapped = Diagnostics.Analyzers.Analysis.ArchitectureMapper.Map(models[0], 1);
        Assert.True(mapped.Network != null, mapped.Failure);
        var net = mapped.Network!;
        Assert.Equal(new[] { 20, 40, 40, 5 }, net.Widths);
        Assert.Equal(new[] { "leaky_relu(0.1)", "gelu", "sigmoid" }, net.Layers.Select(l => l.Activation.ToString()));
        Assert.Equal(2 / (1 + 0.01), net.Layers[0].WeightVariance, Tolerance);
        Assert.Equal(0, net.Layers[0].BiasVariance);
        Assert.Equal(1.0 / 3, net.Layers[1].WeightVariance, Tolerance);
        Assert.Equal(1.0 / 120, net.Layers[1].BiasVariance, Tolerance);
        Assert.Equal(0, net.Layers[2].BiasVariance);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OptimizersLinkedToModel(bool torchSharp)
    {
        var source = Sources.Usings + """

            public static class Training
            {
                public static void Run(double decay)
                {
                    var net = Sequential(Linear(10, 10), ReLU(), Linear(10, 1));
                    var other = Sequential(Linear(3, 3));
                    var a = torch.optim.SGD(net.parameters(), learningRate: 0.5, momentum: 0.9);
                    var b = torch.optim.AdamW(net.parameters(), 1e-3 / 2);
                    var c = torch.optim.SGD(net.parameters(), decay);
                    var d = torch.optim.SGD(other.parameters(), 0.1);
                }
            }
            """;
        var models = await Extract.ModelsAsync(source, torchSharp);
        var net = models.Single(m => m.Name == "net");
        Assert.Equal(3, net.Optimizers.Count);
        Assert.Equal(("SGD", 0.5), (net.Optimizers[0].Kind, net.Optimizers[0].LearningRate!.Value));
        Assert.Equal(("AdamW", 5e-4), (net.Optimizers[1].Kind, net.Optimizers[1].LearningRate!.Value));
        Assert.Null(net.Optimizers[2].LearningRate);
        Assert.Equal("decay", net.Optimizers[2].UnknownLearningRate);
    }

    [Fact]
    public async Task ParameterLoopWithDimensionCondition()
    {
        var source = Sources.Usings + """

            public static class Models
            {
                public static Module<Tensor, Tensor> Build()
                {
                    var model = Sequential(Linear(50, 50), Tanh(), Linear(50, 50), Tanh(), Linear(50, 1));
                    foreach (var p in model.parameters())
                    {
                        if (p.dim() > 1) init.xavier_normal_(p);
                        else init.normal_(p, std: 0.05);
                    }

                    return model;
                }
            }
            """;
        var net = (await Extract.SingleArchitectureAsync(source)).Network!;
        Assert.Equal(1.0, net.Layers[0].WeightVariance, Tolerance);   // xavier, square: 2 n / 2n
        Assert.Equal(2.0 * 50 / 51, net.Layers[2].WeightVariance, Tolerance);
        Assert.All(net.Layers, l => Assert.Equal(0.0025, l.BiasVariance, Tolerance));
    }
}
