using BenchmarkDotNet.Attributes;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Pruning;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Pruned networks: the exact magnitude-pruning factor t_N(k) for a 1024 x 1024 layer (N = 2^20) and a 256 x 256 one, its
/// limit, and the pruned spectrum (dense law + pruned law, 400 grid points) of a depth-3 width-1024 ReLU network, magnitude
/// pruning at s = 0.9 without rescaling (magnitude factors included). Run:
/// dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter *Pruning*
/// </summary>
[MemoryDiagnoser]
public class PruningBenchmarks
{
    private NetworkArchitecture _relu = null!;
    private NetworkArchitecture _tanh = null!;
    private PruningSpecification _magnitude = null!;
    private SpectrumOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _relu = NetworkArchitecture.Uniform(new[] { 1024, 1024, 1024, 1024 }, Activation.Relu, 2.0);
        _tanh = NetworkArchitecture.Uniform(new[] { 1024, 1024, 1024, 1024 }, Activation.Tanh, 1.5);
        _magnitude = new PruningSpecification(0.9, PruningMethod.Magnitude, rescale: false);
        _options = new SpectrumOptions { GridPoints = 400 };
    }

    [Benchmark]
    public double MagnitudeFactorWidth1024() => MagnitudePruningFactor.Finite(1L << 20, 104858);

    [Benchmark]
    public double MagnitudeFactorWidth256() => MagnitudePruningFactor.Finite(1L << 16, 6554);

    [Benchmark]
    public double MagnitudeFactorLimit() => MagnitudePruningFactor.Limit(0.9);

    [Benchmark]
    public double PrunedReluSpectrum() => PrunedSpectrum.Compute(_relu, _magnitude, _options).SpectralNormShrinkage;

    [Benchmark]
    public double PrunedTanhSpectrum() => PrunedSpectrum.Compute(_tanh, _magnitude, _options).SpectralNormShrinkage;
}
