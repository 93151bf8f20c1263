using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Tests.Harness;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Extraction;

/// <summary>
/// if, ?: and switch in forward: a constant condition selects its branch; a condition not known at compile time is
/// analysed only when every branch applies the same layers, else the model is not analysable (never both branches in a row).
/// </summary>
public sealed class ControlFlowExtractionTests
{
    /// <summary>A Module subclass with fc1 (16 -> 32), fc2 (32 -> 32), head (32 -> 4) flag and mode set from the constructor, constants Deep = false and Kind = 1.</summary>
    private static string Net(string forwardBody) => Sources.Usings + """

        using System.Linq;

        public sealed class Net : Module<Tensor, Tensor>
        {
            private const bool Deep = false;
            private const int Kind = 1;
            private readonly bool useTanh;
            private readonly int mode;
            private readonly Linear fc1 = Linear(16, 32);
            private readonly Linear fc2 = Linear(32, 32);
            private readonly Linear head = Linear(32, 4);

            public Net(bool useTanh, int mode) : base(nameof(Net))
            {
                this.useTanh = useTanh;
                this.mode = mode;
                RegisterComponents();
            }

            public override Tensor forward(Tensor x)
            {
        """ + forwardBody + """

            }
        }
        """;

    private static async Task<MappedModel> MapAsync(string forwardBody, bool torchSharp) => await Extract.SingleArchitectureAsync(Net(forwardBody), torchSharp);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantIf_DifferentActivations_NotAnalysable(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = fc1.forward(x);
                    if (useTanh) x = functional.tanh(x);
                    else x = functional.relu(x);
                    return head.forward(x);
            """, torchSharp);
        Assert.Null(mapped.Network);
        Assert.Equal("'if (useTanh) ...' in forward: the branch taken is not known at compile time: the field 'useTanh' is assigned from constructor parameter 'useTanh'", mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantIf_ExtraLayerWithoutElse_NotAnalysable(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = functional.relu(fc1.forward(x));
                    if (mode > 1) x = functional.relu(fc2.forward(x));
                    return head.forward(x);
            """, torchSharp);
        Assert.Null(mapped.Network);
        Assert.Equal("'if (mode > 1) ...' in forward: the branch taken is not known at compile time: the field 'mode' is assigned from constructor parameter 'mode'", mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantIf_EarlyReturn_NotAnalysable(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = functional.relu(fc1.forward(x));
                    if (useTanh) return head.forward(x);
                    return head.forward(functional.relu(fc2.forward(x)));
            """, torchSharp);
        Assert.Null(mapped.Network);
        Assert.Equal("'if (useTanh) ...' in forward: the branch taken is not known at compile time: the field 'useTanh' is assigned from constructor parameter 'useTanh'", mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantConditional_DifferentLayers_NotAnalysable(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = functional.relu(fc1.forward(x));
                    x = useTanh ? functional.relu(fc2.forward(x)) : x;
                    return head.forward(x);
            """, torchSharp);
        Assert.Null(mapped.Network);
        Assert.Equal("'useTanh ? ... : ...' in forward: the branch taken is not known at compile time: the field 'useTanh' is assigned from constructor parameter 'useTanh'", mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantSwitch_DifferentActivations_NotAnalysable(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = fc1.forward(x);
                    switch (mode)
                    {
                        case 0: x = functional.relu(x); break;
                        default: x = functional.tanh(x); break;
                    }
                    return head.forward(x);
            """, torchSharp);
        Assert.Null(mapped.Network);
        Assert.Equal("'switch (mode) ...' in forward: the branch taken is not known at compile time: the field 'mode' is assigned from constructor parameter 'mode'", mapped.Failure);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NonConstantIf_IdenticalBranches_Analysed(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    if (useTanh) x = functional.relu(fc1.forward(x));
                    else { x = fc1.forward(x); x = functional.relu(x); }
                    x = mode switch { 0 => functional.relu(fc2.forward(x)), _ => functional.relu(fc2.forward(x)) };
                    return head.forward(x);
            """, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 16, 32, 32, 4 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GuardClausesAndLogging_Analysed(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    if (x.shape[1] != 16) throw new ArgumentException($"expected 16 features, got {x.shape[1]}");
                    if (x.shape.Length != 2) { Console.WriteLine("reshaping"); x = x.reshape(-1, 16); }
                    x = functional.relu(fc1.forward(x));
                    x = mode >= 0 ? functional.relu(fc2.forward(x)) : throw new ArgumentException("mode");
                    return head.forward(x);
            """, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 16, 32, 32, 4 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ConstantConditions_StillFolded(bool torchSharp)
    {
        var mapped = await MapAsync("""
                    x = fc1.forward(x);
                    x = Deep ? functional.tanh(x) : x;
                    if (Deep) x = functional.tanh(fc2.forward(functional.tanh(x)));
                    else x = functional.relu(x);
                    switch (Kind)
                    {
                        case 0: x = functional.tanh(x); break;
                        case 1: x = functional.relu(fc2.forward(x)); break;
                        default: x = functional.tanh(fc2.forward(x)); break;
                    }
                    return head.forward(x);
            """, torchSharp);
        Assert.True(mapped.Network != null, mapped.Failure);
        Assert.Equal(new[] { 16, 32, 32, 4 }, mapped.Network!.Widths);
        Assert.Equal(new[] { "relu", "relu", "identity" }, mapped.Network.Layers.Select(l => l.Activation.ToString()));
    }
}
