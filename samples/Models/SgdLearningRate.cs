// check: FPT003
// A critical ReLU network (kaiming_normal_, chi = 1) trained by plain SGD at learning rate 5 with mse_loss (mean
// reduction). With one output (M = 1) H_L = J J^T is the squared norm of the parameter gradient, about
// sum_l |x_{l-1}|^2 |d_l|^2 ~ hundreds for widths 100, so the stable rate 1/lambda_max is of order 1e-3: 5 diverges.
// Expected: FPT003 on the rate; the code fix writes half the bound.
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
