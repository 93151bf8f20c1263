using BenchmarkDotNet.Attributes;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;

namespace Diagnostics.Benchmarks;

/// <summary>
/// lambda_max of the dual conditional Fisher information (the analyzer's fast path) and the whole law, for square
/// depth-20 networks of width 512: ReLU at sigma_w^2 = 2 (single-atom D^2, explicit chain) and tanh at sigma_w^2 = 1.5
/// (48-atom D^2 discretisation, one inner root per level). Run: dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter *Fisher*
/// </summary>
[MemoryDiagnoser]
public class FisherBenchmarks
{
    [Params("relu", "tanh")]
    public string Activation { get; set; } = "relu";

    [Params(WeightDistribution.Gaussian, WeightDistribution.Orthogonal)]
    public WeightDistribution Init { get; set; }

    private NetworkArchitecture _network = null!;

    [GlobalSetup]
    public void Setup() => _network = Depth20(Activation, Init);

    public static NetworkArchitecture Depth20(string activation, WeightDistribution init) => NetworkArchitecture.Uniform(
        Enumerable.Repeat(512, 21).ToArray(), Spectra.Architecture.Activation.Parse(activation), activation == "relu" ? 2.0 : 1.5, 0, init,
        Spectra.Architecture.Activation.Identity);

    [Benchmark]
    public double LambdaMax() => FisherSpectrum.LargestEigenvalue(_network);

    [Benchmark]
    public double WholeLaw400Points() => FisherSpectrum.Compute(_network).TotalMass;

    /// <summary>The same law by the checked (not certified) continuation, for comparison with the certified density of ReLU.</summary>
    [Benchmark]
    public double WholeLaw400PointsChecked() => FisherSpectrum.Compute(_network, new FisherOptions { CertifyDensity = false }).TotalMass;
}
