// check: FPT005
// A residual MLP: x + f(x) is not modelled by the fully connected engine.
// Expected: FPT005 naming the residual addition.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public sealed class ResidualMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1 = Linear(64, 64);
    private readonly Linear fc2 = Linear(64, 64);

    public ResidualMlp() : base(nameof(ResidualMlp)) => RegisterComponents();

    public override Tensor forward(Tensor x) => x + fc2.forward(functional.relu(fc1.forward(x)));
}
