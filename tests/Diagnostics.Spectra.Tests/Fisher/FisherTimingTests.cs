using System.Diagnostics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>Stopwatch timings of the depth-20 benchmark cases (median of repeated runs after a warm-up); prints, checks only finiteness.</summary>
public class FisherTimingTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("relu", WeightDistribution.Gaussian)]
    [InlineData("relu", WeightDistribution.Orthogonal)]
    [InlineData("tanh", WeightDistribution.Gaussian)]
    [InlineData("tanh", WeightDistribution.Orthogonal)]
    public void Depth20(string activation, WeightDistribution init)
    {
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(512, 21).ToArray(), Activation.Parse(activation), activation == "relu" ? 2.0 : 1.5, 0, init, Activation.Identity);
        double lambdaMax = FisherSpectrum.LargestEigenvalue(net);
        var times = new List<double>();
        for (int k = 0; k < 21; k++)
        {
            var sw = Stopwatch.StartNew();
            lambdaMax = FisherSpectrum.LargestEigenvalue(net);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var build = Stopwatch.StartNew();
        for (int k = 0; k < 5; k++) FisherLayerChain.Build(net, 48);
        double buildMs = build.Elapsed.TotalMilliseconds / 5;
        var whole = Stopwatch.StartNew();
        var law = FisherSpectrum.Compute(net);
        whole.Stop();
        output.WriteLine($"{activation} {init}: lambda_max {lambdaMax:g6} median {times[10]:f3} ms (of which layer laws {buildMs:f3} ms); whole law (400 points) {whole.Elapsed.TotalMilliseconds:f0} ms, mass {law.TotalMass:g6}, mean {law.Mean:g6} vs density mean {law.DensityMean:g6}");
        Assert.True(double.IsFinite(lambdaMax) && lambdaMax >= law.Mean);
    }
}
