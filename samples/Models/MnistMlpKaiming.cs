// check: none
// The same depth with He (kaiming_normal_, ReLU) weights and zero biases: chi = 1 per ReLU layer.
// Expected: no FPT001/FPT002, only the FPT004 summary.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class MnistMlpKaiming
{
    private const int Hidden = 256;

    public static Module<Tensor, Tensor> Build()
    {
        var model = Sequential(
            ("flatten", Flatten()),
            ("fc1", Linear(784, Hidden)), ("relu1", ReLU()), ("drop1", Dropout(0.1)),
            ("fc2", Linear(Hidden, Hidden)), ("relu2", ReLU()),
            ("fc3", Linear(Hidden, Hidden)), ("relu3", ReLU()),
            ("fc4", Linear(Hidden, Hidden)), ("relu4", ReLU()),
            ("fc5", Linear(Hidden, Hidden)), ("relu5", ReLU()),
            ("fc6", Linear(Hidden, Hidden)), ("relu6", ReLU()),
            ("fc7", Linear(Hidden, Hidden)), ("relu7", ReLU()),
            ("fc8", Linear(Hidden, Hidden)), ("relu8", ReLU()),
            ("out", Linear(Hidden, 10)));
        using (torch.no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
                else init.zeros_(p);
            }
        }

        return model;
    }
}
