// A TorchSharp training loop with the runtime monitor: three lines (attach, Step, Complete).
//   dotnet run --project samples/Training/TorchSharpDemo -p:EnableTorchSharp=true -- --out DIR
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

string outDir = args.Length == 2 && args[0] == "--out" ? args[1] : "torchsharp-monitor";
Directory.CreateDirectory(outDir);
manual_seed(1);

// Data from a random teacher with a small Jacobian; a ReLU student.
var x = randn(256, 16);
var teacher = randn(16, 4) * 0.1;
var y = tanh(x.matmul(teacher));
var model = nn.Sequential(
    ("fc1", nn.Linear(16, 64)), ("relu1", nn.ReLU()),
    ("fc2", nn.Linear(64, 64)), ("relu2", nn.ReLU()),
    ("fc3", nn.Linear(64, 4)));
var optimizer = optim.SGD(model.parameters(), 0.05);
var mse = nn.MSELoss();

using var probes = x.narrow(0, 0, 4);
using var adapter = new TorchSharpModel(model, optimizer, probes);
Console.WriteLine($"JVP self-check (double backward vs finite difference): relative difference {adapter.CompareJvpMethods():G3}");
using var monitor = new TrainingMonitor(adapter, new MonitorOptions
{
    Loss = LossNormalization.SquaredErrorMeanOverElements, // nn.MSELoss() averages over all elements
    ReportPath = Path.Combine(outDir, "torchsharp.svg"),
    HistoryPath = Path.Combine(outDir, "torchsharp.jsonl"),
    Title = "TorchSharp ReLU 16-64-64-4, SGD eta = 0.05",
});

for (int step = 0; step < 500; step++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var loss = mse.call(model.call(x), y);
    loss.backward();
    optimizer.step();
    monitor.Step(loss.item<float>());
}

monitor.Complete();
Console.WriteLine($"phases: {string.Join(" -> ", monitor.Phases.Changes.Select(c => $"{c.To}@{c.Step}"))}; report in {Path.GetFullPath(outDir)}");
return 0;
