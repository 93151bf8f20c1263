using System;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// torch.nn.init.calculate_gain as TorchSharp forwards it to libtorch (src/TorchSharp/NN/Init.cs,
    /// THSInit_calculate_gain; libtorch torch/csrc/api/src/nn/init.cpp): 1 for Linear, Conv* and Sigmoid, 5/3 for Tanh,
    /// sqrt 2 for ReLU, sqrt(2 / (1 + param^2)) for LeakyReLU.
    /// </summary>
    internal static class InitGains
    {
        public static double? Gain(string? nonlinearity, double param) => nonlinearity switch
        {
            "Linear" or "Conv1D" or "Conv2D" or "Conv3D" or "ConvTranspose1D" or "ConvTranspose2D" or "ConvTranspose3D" or "Sigmoid" => 1.0,
            "Tanh" => 5.0 / 3.0,
            "ReLU" => Math.Sqrt(2.0),
            "LeakyReLU" => Math.Sqrt(2.0 / (1 + param * param)),
            _ => null,
        };
    }
}
