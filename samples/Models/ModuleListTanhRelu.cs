// check: FPT002
// A Module subclass for tabular data: a ModuleList of eight Linear layers built in a loop (64 features, then width 256),
// tanh after the first four and ReLU after the last four, and a separate Linear readout, all on TorchSharp's default
// initialisation (kaiming_uniform_(a: sqrt 5): sigma_w^2 = 1/3). Per layer chi is at most sigma_w^2 = 1/3 for tanh
// (tanh'^2 <= 1), sigma_w^2 / 2 = 1/6 for ReLU and 1/3 for the readout, so over nine layers the mean squared singular
// value shrinks by at least 3^-5 6^-4 = 3e-6 and the Jacobian spectrum vanishes. Expected: FPT002; the code fix writes one init per element,
// layers[k].weight: normal_ with the engine's critical sigma_w^2 for the tanh layers (it differs for the first layer,
// whose fan-in and default bias variance 1/(3 fan_in) differ), kaiming_normal_ for the ReLU layers and the readout.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public sealed class TabularEncoder : Module<Tensor, Tensor>
{
    private const int Features = 64;
    private const int Depth = 8;
    private static readonly int Hidden = 256;
    private static readonly int TanhLayers = Depth / 2;

    private readonly ModuleList<Linear> layers = new ModuleList<Linear>();
    private readonly Linear head;

    public TabularEncoder() : base(nameof(TabularEncoder))
    {
        for (int i = 0; i < Depth; i++)
        {
            layers.Add(Linear(i == 0 ? Features : Hidden, Hidden));
        }

        head = Linear(Hidden, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i < TanhLayers) x = functional.tanh(x);
            else x = functional.relu(x);
        }

        return head.forward(x);
    }
}
