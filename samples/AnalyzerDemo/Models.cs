using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AnalyzerDemo;

/// <summary>Models the analyzer reports on `dotnet build` (FPT002, FPT001, FPT003) and one it accepts.</summary>
public static class Models
{
    /// <summary>FPT002: twelve ReLU layers on TorchSharp's default init (sigma_w^2 = 1/3, chi = 1/6 per layer).</summary>
    public static Module<Tensor, Tensor> DeepReluOnDefaults()
    {
        var model = Sequential(
            Linear(784, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 10));
        return model;
    }

    /// <summary>FPT001: std 0.25 on 128 inputs, sigma_w^2 = 8, chi = 4 per ReLU layer.</summary>
    public static Module<Tensor, Tensor> LargeGaussian()
    {
        var model = Sequential(
            Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 128), ReLU(),
            Linear(128, 128), ReLU(), Linear(128, 128), ReLU(), Linear(128, 1));
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("weight")) init.normal_(p, 0.0, 0.25);
            else init.zeros_(p);
        }

        return model;
    }

    /// <summary>FPT003: a critical He-initialised network trained by plain SGD at 5, far above 1/lambda_max for mse_loss.</summary>
    public static void TrainWithLargeRate(Tensor inputs, Tensor targets)
    {
        var model = Sequential(Linear(100, 100), ReLU(), Linear(100, 100), ReLU(), Linear(100, 1));
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
            else init.zeros_(p);
        }

        var optimizer = torch.optim.SGD(model.parameters(), learningRate: 5.0);
        optimizer.zero_grad();
        functional.mse_loss(model.forward(inputs), targets).backward();
        optimizer.step();
    }

    /// <summary>No warning: He init, chi = 1 per ReLU layer.</summary>
    public static Module<Tensor, Tensor> Critical()
    {
        var model = Sequential(Linear(784, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 10));
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
            else init.zeros_(p);
        }

        return model;
    }
}
