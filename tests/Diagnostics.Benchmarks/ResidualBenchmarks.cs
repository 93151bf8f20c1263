using BenchmarkDotNet.Attributes;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Residual;

namespace Diagnostics.Benchmarks;

/// <summary>
/// Time for the universal residual law (Tarnowski et al. 2019, eq. 25) on 1,000 grid points: a = 1, sigma_W^2 = 2 for ReLU
/// (kappa = 1) and 1 for tanh, relative Im z = 1e-7 x, including the mean-field propagation (quadrature for tanh).
/// Run: dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter *Residual*
/// </summary>
[MemoryDiagnoser]
public class ResidualBenchmarks
{
    [Params("relu", "tanh")]
    public string Activation { get; set; } = "relu";

    [Params(20, 50)]
    public int Depth { get; set; }

    [Params(1000)]
    public int GridPoints { get; set; }

    private ResidualArchitecture _network = null!;
    private SpectrumOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        var phi = Spectra.Architecture.Activation.Parse(Activation);
        _network = new ResidualArchitecture(Depth, 500, 1, phi, phi.Kind == ActivationKind.Relu ? 2 : 1);
        _options = new SpectrumOptions { GridPoints = GridPoints };
    }

    [Benchmark]
    public double Density() => ResidualJacobianSpectrum.Compute(_network, _options).SupportUpper;
}
