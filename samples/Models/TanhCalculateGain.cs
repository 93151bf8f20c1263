// check: FPT001
// A deep tanh MLP initialised the PyTorch way, xavier_normal_ with gain = calculate_gain(Tanh) = 5/3 and zero biases. On
// square layers Xavier's variance is gain^2 / fan_in, so sigma_w^2 = 25/9 = 2.78: with zero bias the critical point of
// tanh is sigma_w^2 = 1 and 2.78 is deep in the chaotic phase (chi > 1 at the fixed point q*), so over 24 layers the
// Jacobian spectrum explodes. Expected: FPT001; the code fix writes the engine's critical sigma_w^2 for tanh.
using System;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class TanhCalculateGain
{
    private const int Width = 256;
    private const int Depth = 24;

    public static Module<Tensor, Tensor> Build()
    {
        var model = Sequential(
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(),
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(),
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(),
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(),
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(),
            Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, Width), Tanh(), Linear(Width, 10));
        using (torch.no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("weight")) init.xavier_normal_(p, gain: init.calculate_gain(init.NonlinearityType.Tanh));
                else init.zeros_(p);
            }
        }

        return model;
    }
}
