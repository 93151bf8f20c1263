using System.Text.Json;
using System.Xml.Linq;
using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Monitoring;
using Diagnostics.Runtime.Reference;
using Diagnostics.Runtime.Tests.Estimators;
using Diagnostics.Spectra.Architecture;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Diagnostics.Runtime.Tests.Monitoring;

public class TrainingMonitorTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BrokenModel_NeverStopsTraining_AndFlagsEveryReading(bool throwing)
    {
        var logger = new CapturingLogger();
        var events = new List<MonitorEvent>();
        using var monitor = new TrainingMonitor(new BrokenModel(throwing), new MonitorOptions { Quantities = MonitorPreset.Thorough(LossNormalization.CrossEntropyMeanOverSamples) }, logger);
        monitor.EventRaised += (_, e) => events.Add(e);
        monitor.EventRaised += (_, _) => throw new InvalidOperationException("a subscriber that fails");
        for (int step = 0; step < 12; step++) monitor.Step(step == 3 ? double.NaN : 1.0);

        Assert.Equal(12, monitor.CurrentStep);
        var norms = monitor.History.Series(QuantityNames.JacobianNorm);
        Assert.NotEmpty(norms);
        Assert.All(norms, r => Assert.Equal(throwing ? EstimateStatus.ModelFailed : EstimateStatus.NonFinite, r.Status));
        Assert.True(monitor.History.Series(QuantityNames.Loss)[3].IsFlagged);
        Assert.Contains(events, e => e.Kind == MonitorEventKind.FlaggedReading);
        Assert.Contains(logger.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains(QuantityNames.JacobianNorm));
        Assert.Equal(Diagnostics.Runtime.Phases.TrainingPhase.Warmup, monitor.Phases.Phase);
    }

    [Fact]
    public void History_IsValidJsonLines_AndTheReportIsValidSvg()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fpt-monitor-" + Guid.NewGuid().ToString("N"));
        try
        {
            var data = TeacherStudentData.Generate(32, 8, 2, 41);
            var net = ReferenceMlp.Uniform(new[] { 8, 16, 16, 2 }, Activation.Tanh, MlpInitialization.Orthogonal(1.2), 42, Activation.Identity);
            net.SetProbes(data.FirstInputs(3));
            net.LearningRate = 0.05;
            var options = new MonitorOptions
            {
                HistoryPath = Path.Combine(dir, "run.jsonl"),
                ReportPath = Path.Combine(dir, "run.svg"),
                Title = "test <run> & \"quotes\"",
                Quantities = MonitorPreset.Thorough(LossNormalization.HalfSquaredErrorMeanOverSamples),
            };
            using (var monitor = new TrainingMonitor(net, options))
            {
                for (int step = 0; step < 60; step++) monitor.Step(net.TrainStep(data.Inputs, data.Targets, MlpLoss.HalfSquaredError));
                monitor.Complete();
            }

            // Thorough preset: the gradient norms make every step a line.
            var lines = File.ReadAllLines(options.HistoryPath!);
            Assert.Equal(60, lines.Length);
            for (int k = 0; k < lines.Length; k++)
            {
                using var doc = JsonDocument.Parse(lines[k]);
                Assert.Equal(k, doc.RootElement.GetProperty("step").GetInt64());
                Assert.True(doc.RootElement.GetProperty(QuantityNames.Loss).GetDouble() > 0);
            }

            using (var doc = JsonDocument.Parse(lines[5]))
            {
                Assert.True(doc.RootElement.GetProperty(QuantityNames.JacobianNorm).GetDouble() > 0);
                Assert.True(doc.RootElement.GetProperty(QuantityNames.Sharpness).GetDouble() > 0);
            }

            var svg = XDocument.Load(options.ReportPath!);
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            Assert.Contains("test <run> & \"quotes\"", svg.Root.Value);
            Assert.Contains(svg.Descendants(), e => e.Name.LocalName == "path");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void CrossEntropyLoss_MonitorsTheGaussNewtonSharpness()
    {
        var data = TeacherStudentData.Generate(40, 8, 3, 51);
        // Classes from the teacher's largest output: one-hot targets.
        var labels = data.Targets.Select(t => { var y = new double[3]; y[Array.IndexOf(t, t.Max())] = 1; return y; }).ToArray();
        var net = ReferenceMlp.Uniform(new[] { 8, 16, 3 }, Activation.Tanh, MlpInitialization.Gaussian(1.5), 52, Activation.Identity);
        net.SetProbes(data.FirstInputs(8));
        net.LearningRate = 0.1;
        var sharpness = new SharpnessQuantity(Schedule.Every(5), LossNormalization.CrossEntropyMeanOverSamples, tolerance: 1e-8, maxIterations: 40);
        var density = new SpectralDensityQuantity(Schedule.At(0, 10));
        using var monitor = new TrainingMonitor(net, new MonitorOptions { Quantities = new MonitoredQuantity[] { sharpness, density } });
        for (int step = 0; step < 11; step++) monitor.Step(net.TrainStep(data.Inputs, labels, MlpLoss.CrossEntropy));

        // The last reading (step 10) against an independent cold-started Gauss-Newton estimate at the same parameters.
        var reading = monitor.History.Series(QuantityNames.Sharpness).Last();
        Assert.Equal(10, reading.Step);
        var direct = new GaussNewtonMaxEigenvalueEstimator(seed: 99) { Tolerance = 1e-10, MaxIterations = 60 }.Estimate(net);
        Assert.True(Math.Abs(reading.Value - direct.Value) < 1e-6 * direct.Value, $"monitor {reading}, direct {direct}");
        Assert.Equal(new long[] { 0, 10 }, density.Estimates.Keys);
        Assert.True(density.Estimates[10].Largest.Value > 0);
    }

    [Fact]
    public void Schedules_AreValues()
    {
        var every = Schedule.Every(5, start: 2);
        Assert.Equal(new long[] { 2, 7, 12 }, Enumerable.Range(0, 15).Where(s => every.ShouldCompute(s)).Select(s => (long)s));
        var log = Schedule.LogSpaced(2); // 0, 1, 3, 10, 31, 100, 316, 1000
        Assert.Equal(new long[] { 0, 1, 3, 10, 31, 100, 316, 1000 }, Enumerable.Range(0, 1001).Where(s => log.ShouldCompute(s)).Select(s => (long)s));
        var both = Schedule.At(4).Or(Schedule.Every(10));
        Assert.True(both.ShouldCompute(4) && both.ShouldCompute(20) && !both.ShouldCompute(5));
        Assert.False(Schedule.Never.ShouldCompute(0));
    }

    [Fact]
    public void Presets_AreTieredByCost()
    {
        var net = ReferenceMlp.Uniform(new[] { 4, 4 }, Activation.Relu, MlpInitialization.Gaussian(2), 1);
        double Cost(IReadOnlyList<MonitoredQuantity> q) => new TrainingMonitor(net, new MonitorOptions { Quantities = q }).TypicalPassesPerStep();
        var loss = LossNormalization.HalfSquaredErrorMeanOverSamples;
        Assert.True(Cost(MonitorPreset.Minimal(loss)) < Cost(MonitorPreset.Default(loss)));
        Assert.True(Cost(MonitorPreset.Default(loss)) < Cost(MonitorPreset.Thorough(loss)));
        Assert.True(Cost(MonitorPreset.Default(loss)) < 2);
    }
}

internal sealed class CapturingLogger : ILogger
{
    public List<(LogLevel Level, string Text)> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Add((logLevel, formatter(state, exception)));
}
