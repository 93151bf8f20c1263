using System.Globalization;
using System.Text;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>Test sources and hand-built engine architectures for comparison.</summary>
public static class Sources
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;
        """;

    /// <summary>Arguments of a Sequential: depth Linear(width, width) layers, each followed by the activation module.</summary>
    public static string Layers(int depth, int width, string activation, int? output = null)
    {
        var sb = new StringBuilder();
        for (int l = 0; l < depth; l++)
        {
            int outWidth = l == depth - 1 && output != null ? output.Value : width;
            if (l > 0) sb.Append(", ");
            sb.Append(CultureInfo.InvariantCulture, $"Linear({width}, {outWidth})");
            if (activation.Length > 0 && (output == null || l < depth - 1)) sb.Append(CultureInfo.InvariantCulture, $", {activation}");
        }

        return sb.ToString();
    }

    /// <summary>The law the analyzer should compute, built by hand from TorchSharp's documented defaults and the same grid.</summary>
    public static SquaredSingularValueLaw Law(NetworkArchitecture network) =>
        JacobianSpectrum.Compute(network, SpectrumCache.Options());

    /// <summary>Square network of the given depth with one activation, sigma_w^2 and sigma_b^2 in every layer.</summary>
    public static NetworkArchitecture Square(int depth, int width, Activation phi, double weightVariance, double biasVariance, WeightDistribution weights = WeightDistribution.Gaussian) =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(width, depth + 1).ToArray(), phi, weightVariance, biasVariance, weights);

    public static string N(double x) => Format.Number(x);
}
