using System.Diagnostics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>Stopwatch timings of the certified against the checked density (depth-20 ReLU, width 512); prints, checks agreement of mass.</summary>
public class FisherCertificateTimingTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(WeightDistribution.Gaussian)]
    [InlineData(WeightDistribution.Orthogonal)]
    public void Depth20Relu_CertifiedVersusChecked(WeightDistribution init)
    {
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(512, 21).ToArray(), Activation.Relu, 2.0, 0, init, Activation.Identity);
        FisherSpectrum.Compute(net, new FisherOptions { GridPoints = 20 });
        var times = new List<double>();
        for (int k = 0; k < 21; k++)
        {
            var sw = Stopwatch.StartNew();
            FisherSpectrum.LargestEigenvalue(net);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        var certified = Stopwatch.StartNew();
        var law = FisherSpectrum.Compute(net);
        certified.Stop();
        var checkedTime = Stopwatch.StartNew();
        var checkedLaw = FisherSpectrum.Compute(net, new FisherOptions { CertifyDensity = false });
        checkedTime.Stop();
        output.WriteLine($"relu {init}: lambda_max median {times[10]:f3} ms; certified law {certified.Elapsed.TotalMilliseconds:f0} ms ({law.BasinTests} basin tests, "
            + $"{law.UncertifiedPoints} + {law.EdgeSearchUncertifiedPoints} points by the checked fallback), checked law {checkedTime.Elapsed.TotalMilliseconds:f0} ms; "
            + $"mass {law.TotalMass:g8} vs {checkedLaw.TotalMass:g8}, mean {law.DensityMean:g8} vs exact {law.Mean:g8}");
        Assert.True(law.DensityCertified);
        Assert.Equal(checkedLaw.TotalMass, law.TotalMass, 1e-6);
    }
}
