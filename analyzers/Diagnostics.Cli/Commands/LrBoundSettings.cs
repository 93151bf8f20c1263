using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;

namespace Diagnostics.Cli.Commands;

/// <summary>
/// The validated settings of one <c>fpt lr-bound</c> run. The architecture options are those of <c>fpt spectrum</c> and are
/// parsed by <see cref="SpectrumSettings.Parse"/>; the last layer is linear (its activation is not used: f = h_L).
/// </summary>
internal sealed class LrBoundSettings
{
    private LrBoundSettings(NetworkArchitecture network, FisherOptions options, bool json)
    {
        Network = network;
        Options = options;
        Json = json;
    }

    public NetworkArchitecture Network { get; }

    public FisherOptions Options { get; }

    public bool Json { get; }

    /// <exception cref="UsageException">An option is invalid (one line, exit code 2).</exception>
    public static LrBoundSettings Parse(SpectrumInput input)
    {
        // Reuse the spectrum parser for the architecture only: no plot, no density option.
        var spectrum = SpectrumSettings.Parse(input with { Json = true, Density = false, Svg = null, NoSvg = true });
        var net = spectrum.Network!; // set: lr-bound has no --residual
        // The output layer is linear: replace its activation by the identity so that reports show what is computed.
        var layers = net.Layers.ToArray();
        var last = layers[^1];
        layers[^1] = new Layer(Activation.Identity, last.WeightVariance, last.BiasVariance, last.Weights);
        var network = new NetworkArchitecture(net.Widths, layers, net.InputVariance);
        return new LrBoundSettings(network, new FisherOptions { GridPoints = spectrum.Options.GridPoints }, input.Json);
    }
}
