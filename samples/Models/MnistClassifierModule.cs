// check: none
// A Module subclass for MNIST: three Linear fields, ReLU between them written three ways (functional.relu, x.relu(),
// torch.nn.functional.relu), He init (kaiming_normal_, sigma_w^2 = 2: chi = 1 per ReLU layer) and zero biases, trained by
// plain SGD with mse_loss. The Fisher information's lambda_max grows like the widths over the output width (the first
// layer alone contributes about |x|^2 / M = 784 / 10), so the stable rate 1/lambda_max is of order 1e-3; the rate 0.001 is
// within it. Expected: no warning; the summary states the rate is within the 1/lambda_max bound.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

public sealed class MnistClassifier : Module<Tensor, Tensor>
{
    private readonly Linear fc1 = Linear(784, 300);
    private readonly Linear fc2 = Linear(300, 100);
    private readonly Linear fc3 = Linear(100, 10);

    public MnistClassifier() : base(nameof(MnistClassifier))
    {
        RegisterComponents();
        init.kaiming_normal_(fc1.weight, nonlinearity: init.NonlinearityType.ReLU);
        init.kaiming_normal_(fc2.weight, nonlinearity: init.NonlinearityType.ReLU);
        init.kaiming_normal_(fc3.weight, nonlinearity: init.NonlinearityType.ReLU);
        init.zeros_(fc1.bias);
        init.zeros_(fc2.bias);
        init.zeros_(fc3.bias);
    }

    public override Tensor forward(Tensor input)
    {
        var x = functional.relu(fc1.forward(input.flatten(1)));
        x = fc2.forward(x).relu();
        return fc3.forward(x);
    }
}

public static class MnistClassifierTraining
{
    public static void Train(Tensor images, Tensor targets)
    {
        var model = new MnistClassifier();
        var optimizer = torch.optim.SGD(model.parameters(), learningRate: 0.001);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            optimizer.zero_grad();
            var loss = functional.mse_loss(model.forward(images), targets);
            loss.backward();
            optimizer.step();
        }
    }
}
