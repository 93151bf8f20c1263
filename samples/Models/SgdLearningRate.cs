// A critical ReLU network trained by SGD with a large learning rate. The rate is read and linked to the model (it
// appears in the FPT004 summary); the rule comparing it with 2 / lambda_max of the Fisher information (FPT003) is reserved.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public static class SgdLearningRate
{
    public static void Train()
    {
        var model = Sequential(Linear(100, 100), ReLU(), Linear(100, 100), ReLU(), Linear(100, 1));
        foreach (var (name, p) in model.named_parameters())
        {
            if (name.EndsWith("weight")) init.kaiming_normal_(p, nonlinearity: init.NonlinearityType.ReLU);
        }

        var optimizer = torch.optim.SGD(model.parameters(), learningRate: 5.0);
    }
}
