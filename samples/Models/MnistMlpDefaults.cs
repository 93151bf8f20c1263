// check: none
// A shallow MNIST classifier on TorchSharp's default initialisation (kaiming_uniform_(a: sqrt 5), sigma_w^2 = 1/3):
// chi = 1/6 in the hidden ReLU layer and 1/3 in the head, so the Jacobian shrinks by a modest constant factor only
// (two layers are too few to vanish). Expected: no warning, the FPT004 summary only.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class MnistMlpDefaults
{
    public static Module<Tensor, Tensor> Build()
    {
        var model = Sequential(
            ("flatten", Flatten()),
            ("hidden", Linear(28 * 28, 128)),
            ("relu", ReLU()),
            ("out", Linear(128, 10)));
        return model;
    }
}
