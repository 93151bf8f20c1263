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

/// <summary>Stopwatch timings of the opt-in certified density for smooth activations (48 atoms); prints, checks agreement of mass.</summary>
public class FisherSmoothCertificateTimingTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(WeightDistribution.Gaussian, 8)]
    [InlineData(WeightDistribution.Orthogonal, 8)]
    public void Tanh_CertifiedVersusChecked(WeightDistribution init, int depth)
    {
        var net = NetworkArchitecture.Uniform(Enumerable.Repeat(512, depth + 1).ToArray(), Activation.Tanh, 1.5, 0.1, init, Activation.Identity);
        var checkedTime = Stopwatch.StartNew();
        var checkedLaw = FisherSpectrum.Compute(net);
        checkedTime.Stop();
        var certified = Stopwatch.StartNew();
        FisherInformationLaw? law = null;
        string? error = null;
        try { law = FisherSpectrum.Compute(net, new FisherOptions { CertifySmoothDensity = true }); }
        catch (SpectralConvergenceException ex) { error = ex.Message; }
        certified.Stop();
        if (law == null)
        {
            output.WriteLine($"tanh {init} depth {depth}: certified path failed after {certified.Elapsed.TotalMilliseconds:f0} ms: {error}");
            return;
        }

        output.WriteLine($"tanh {init} depth {depth}: certified law {certified.Elapsed.TotalMilliseconds:f0} ms ({law.BasinTests} basin tests, "
            + $"{law.UncertifiedPoints} + {law.EdgeSearchUncertifiedPoints} points by the checked fallback), checked law {checkedTime.Elapsed.TotalMilliseconds:f0} ms; "
            + $"mass {law.TotalMass:g8} vs {checkedLaw.TotalMass:g8}");
        Assert.Equal(checkedLaw.TotalMass, law.TotalMass, 1e-5);
    }
}
