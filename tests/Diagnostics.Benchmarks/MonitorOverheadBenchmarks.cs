using BenchmarkDotNet.Attributes;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Reference;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Overhead of the training monitor at the default preset relative to a training step on the reference MLP:
/// 100 full-batch SGD steps (batch 256, ReLU 32-64x4-8) with and without <c>monitor.Step</c> (4 probes).
/// Run: <c>dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter '*MonitorOverhead*'</c>.
/// </summary>
[MemoryDiagnoser]
public class MonitorOverheadBenchmarks
{
    private TeacherStudentData _data = null!;
    private ReferenceMlp _model = null!;
    private TrainingMonitor _monitor = null!;

    [Params("Minimal", "Default")]
    public string Preset { get; set; } = "Default";

    [GlobalSetup]
    public void Setup()
    {
        _data = TeacherStudentData.Generate(256, 32, 8, 1);
        _model = ReferenceMlp.Uniform(new[] { 32, 64, 64, 64, 64, 8 }, Activation.Relu, MlpInitialization.Gaussian(2), 2, Activation.Identity);
        _model.SetProbes(_data.FirstInputs(4));
        _model.LearningRate = 0.01;
        var loss = LossNormalization.HalfSquaredErrorMeanOverSamples;
        _monitor = new TrainingMonitor(_model, new MonitorOptions
        {
            Quantities = Preset == "Minimal" ? MonitorPreset.Minimal(loss) : MonitorPreset.Default(loss),
        });
    }

    [Benchmark(Baseline = true)]
    public double TrainingSteps()
    {
        double loss = 0;
        for (int i = 0; i < 100; i++) loss = _model.TrainStep(_data.Inputs, _data.Targets, MlpLoss.HalfSquaredError);
        return loss;
    }

    [Benchmark]
    public double TrainingStepsWithMonitor()
    {
        double loss = 0;
        for (int i = 0; i < 100; i++)
        {
            loss = _model.TrainStep(_data.Inputs, _data.Targets, MlpLoss.HalfSquaredError);
            _monitor.Step(loss);
        }

        return loss;
    }
}
