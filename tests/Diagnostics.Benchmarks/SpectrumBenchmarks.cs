using BenchmarkDotNet.Attributes;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Benchmarks;

/// <summary>
/// The published FreeNN benchmark case: L layers, widths growing by 1.25 per layer, weight variance 0.8 / fan_in
/// (FreeNN's fan-in/fan-out ratio 0.8 with variance 1/fan_out), identity activations, density on a grid over the
/// whole support at Im z = 1e-4. Single-threaded. Run: dotnet run -c Release --project tests/Diagnostics.Benchmarks -- --filter *Spectrum*
/// </summary>
[MemoryDiagnoser]
public class SpectrumBenchmarks
{
    /// <summary>Depths 2..200 (relative widths: 1000 * 1.25^200 = 2.4e22 does not fit an int).</summary>
    [Params(2, 20, 50, 100, 200)]
    public int Depth { get; set; }

    [Params(100, 1000, 10000)]
    public int GridPoints { get; set; }

    private NetworkArchitecture _network = null!;
    private SpectrumOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = FreeNnCase(Depth);
        _options = new SpectrumOptions { GridPoints = GridPoints, AbsoluteEta = 1e-4 };
    }

    /// <summary>Relative widths 1.25^l (the law depends on the ratios only).</summary>
    public static NetworkArchitecture FreeNnCase(int depth)
    {
        var profile = Enumerable.Range(0, depth + 1).Select(l => Math.Pow(1.25, l)).ToArray();
        var layers = Enumerable.Range(0, depth).Select(_ => new Layer(Activation.Identity, 0.8)).ToArray();
        return NetworkArchitecture.FromWidthProfile(profile, layers);
    }

    [Benchmark]
    public double Density() => JacobianSpectrum.Compute(_network, _options).SupportUpper;
}
