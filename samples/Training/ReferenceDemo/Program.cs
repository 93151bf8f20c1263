// Trains a small MLP on generated data with the training monitor attached: a critical (good) initialisation, an
// exploding (bad) one, and a too-large learning rate. Writes one SVG report and one JSONL history per run.
//   dotnet run --project samples/Training/ReferenceDemo -- --out DIR [--steps N]
using System.Diagnostics;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;
using Microsoft.Extensions.Logging;

string outDir = "monitor-demo";
int steps = 800;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] == "--steps" && i + 1 < args.Length) steps = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else
    {
        Console.Error.WriteLine("usage: ReferenceDemo [--out DIR] [--steps N]");
        return 2;
    }
}

Directory.CreateDirectory(outDir);
using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; }).SetMinimumLevel(LogLevel.Information));
var data = TeacherStudentData.Generate(samples: 128, inputSize: 16, outputSize: 4, seed: 1);
int[] widths = { 16, 32, 32, 32, 32, 4 };

var runs = new (string Name, string Title, MlpInitialization Init, double Rate)[]
{
    ("good-init", "ReLU 16-32x4-4, critical init sigma_w^2 = 2, eta = 0.02", MlpInitialization.Gaussian(2), 0.02),
    ("bad-init", "ReLU 16-32x4-4, exploding init sigma_w^2 = 4, eta = 0.002", MlpInitialization.Gaussian(4), 0.002),
    ("large-lr", "ReLU 16-32x4-4, critical init, eta = 0.06 (above the bound)", MlpInitialization.Gaussian(2), 0.06),
};

foreach (var run in runs)
{
    var logger = loggers.CreateLogger(run.Name);
    var model = ReferenceMlp.Uniform(widths, Activation.Relu, run.Init, seed: 7, lastActivation: Activation.Identity);
    model.SetProbes(data.FirstInputs(4));
    model.LearningRate = run.Rate;
    var options = new MonitorOptions
    {
        Title = run.Title,
        ReportPath = Path.Combine(outDir, run.Name + ".svg"),
        HistoryPath = Path.Combine(outDir, run.Name + ".jsonl"),
    };

    var clock = Stopwatch.StartNew();
    using (var monitor = new TrainingMonitor(model, options, logger))
    {
        var trainClock = new Stopwatch();
        var monitorClock = new Stopwatch();
        for (int step = 0; step < steps; step++)
        {
            trainClock.Start();
            double loss = model.TrainStep(data.Inputs, data.Targets, MlpLoss.HalfSquaredError);
            trainClock.Stop();
            monitorClock.Start();
            monitor.Step(loss);
            monitorClock.Stop();
            if (double.IsNaN(loss) || loss > 1e6) break; // the loop decides to stop, not the monitor
        }

        monitor.Complete();
        var norms = monitor.History.Series(QuantityNames.JacobianNorm).Where(r => r.HasValue).ToList();
        Console.WriteLine($"{run.Name}: {monitor.CurrentStep} steps in {clock.Elapsed.TotalSeconds:F1} s; ||J|| {norms.FirstOrDefault()?.Value:G3} -> {norms.LastOrDefault()?.Value:G3}; "
            + $"phases {string.Join(" -> ", monitor.Phases.Changes.Select(c => $"{c.To}@{c.Step}"))}; final loss {monitor.History.Series(QuantityNames.Loss).Last().Value:G3}; "
            + $"monitor overhead {100 * monitorClock.Elapsed.TotalSeconds / trainClock.Elapsed.TotalSeconds:F1}% of training time ("
            + string.Join(", ", monitor.TimeSpent.Select(kv => $"{kv.Key} {100 * kv.Value.TotalSeconds / trainClock.Elapsed.TotalSeconds:F1}%")) + ")");
    }
}

Console.WriteLine($"reports and histories written to {Path.GetFullPath(outDir)}");
return 0;
