// check: FPT001
// A Module subclass whose weights are drawn with std 0.25 on 128 inputs: sigma_w^2 = 0.0625 * 128 = 8, chi = 4 per ReLU layer.
// Expected: FPT001 (exploding Jacobian spectrum) on the class name.
using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public sealed class LargeGaussianModule : Module<Tensor, Tensor>
{
    private const int Width = 128;
    private readonly Linear fc1 = Linear(Width, Width);
    private readonly Linear fc2 = Linear(Width, Width);
    private readonly Linear fc3 = Linear(Width, Width);
    private readonly Linear fc4 = Linear(Width, Width);
    private readonly Linear fc5 = Linear(Width, Width);
    private readonly Linear head = Linear(Width, 1);

    public LargeGaussianModule() : base(nameof(LargeGaussianModule))
    {
        RegisterComponents();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("weight")) init.normal_(p, 0.0, 0.25);
            else init.zeros_(p);
        }
    }

    public override Tensor forward(Tensor x)
    {
        x = fc1.forward(x).relu();
        x = fc2.forward(x).relu();
        x = fc3.forward(x).relu();
        x = fc4.forward(x).relu();
        x = fc5.forward(x).relu();
        return head.forward(x);
    }
}
