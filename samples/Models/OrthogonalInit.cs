// check: none
// Orthogonal initialisation (Saxe et al. 2014; Pennington, Schoenholz and Ganguli 2017): orthogonal_ with gain sqrt 2 for
// ReLU layers gives sigma_w^2 = 2 and, with zero biases, chi = 1 per layer: critical. (For ReLU, orthogonal weights barely
// narrow the spectrum compared with Gaussian ones at the same chi: ReLU cannot reach dynamical isometry, Pennington et al.
// 2017.) Expected: no warning, the FPT004 summary only.
using System;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class OrthogonalInit
{
    private const int Width = 128;

    public static Module<Tensor, Tensor> Build()
    {
        var model = Sequential(
            Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(),
            Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(), Linear(Width, Width), ReLU(),
            Linear(Width, 10));
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("weight")) init.orthogonal_(p, gain: Math.Sqrt(2.0));
            else init.zeros_(p);
        }

        return model;
    }
}
