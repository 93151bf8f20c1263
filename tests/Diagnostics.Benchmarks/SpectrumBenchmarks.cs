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
    /// <summary>Depths; 65 is the deepest whose widths 1000 * 1.25^L fit in an int (L = 200 would need 2.6e22).</summary>
    [Params(2, 20, 50, 65)]
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

    /// <summary>Widths 1000 * 1.25^l rounded (the law depends on the ratios only).</summary>
    public static NetworkArchitecture FreeNnCase(int depth)
    {
        var widths = new int[depth + 1];
        double w = 1000;
        for (int l = 0; l <= depth; l++)
        {
            widths[l] = checked((int)Math.Round(w));
            w *= 1.25;
        }

        return NetworkArchitecture.Uniform(widths, Activation.Identity, 0.8);
    }

    [Benchmark]
    public double Density() => JacobianSpectrum.Compute(_network, _options).SupportUpper;
}
