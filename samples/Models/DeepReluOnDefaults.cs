// check: FPT002
// A deep ReLU MLP on TorchSharp's default initialisation (kaiming_uniform_(a: sqrt 5): sigma_w^2 = 1/3, chi = 1/6 per layer).
// Expected: FPT002 (vanishing Jacobian spectrum); the code fix sets kaiming_normal_ for ReLU.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class DeepReluOnDefaults
{
    public static Module<Tensor, Tensor> Build()
    {
        var model = Sequential(
            Linear(784, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 256), ReLU(),
            Linear(256, 10));
        return model;
    }
}
