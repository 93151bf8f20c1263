using System.Diagnostics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Tests.Robustness;

/// <summary>One outcome of <see cref="RandomArchitectureSweep"/>.</summary>
public sealed record SweepOutcome(int Index, string Description, string? TypedFailure, double MassError, double MeanError, double Seconds);

/// <summary>
/// Draws random architectures (depth 1-100, consecutive width ratios 0.1-10, sigma_w^2 0.1-10 log-uniform, every
/// activation, Gaussian or orthogonal weights, bias variance 0 or 0.05) and computes each law.
/// </summary>
public static class RandomArchitectureSweep
{
    /// <summary>Activations whose D^2 law is exact (finitely many atoms): ReLU, leaky ReLU, hard tanh, hard sine, identity.</summary>
    public static readonly string[] PiecewiseLinear = { "relu", "leaky_relu", "hardtanh", "hardsine", "identity" };

    /// <summary>Activations whose D^2 law does not depend on q (no hard tanh).</summary>
    public static readonly string[] Homogeneous = { "relu", "leaky_relu", "hardsine", "identity" };

    public static NetworkArchitecture Draw(Random random, int maxDepth, IReadOnlyList<string> activations, out string description)
    {
        int depth = 1 + random.Next(maxDepth);
        var widths = new int[depth + 1];
        widths[0] = 50 + random.Next(950);
        for (int l = 1; l <= depth; l++)
        {
            double ratio = Math.Exp(Math.Log(0.1) + random.NextDouble() * Math.Log(100));
            widths[l] = (int)Math.Clamp(Math.Round(widths[l - 1] * ratio), 5, 20000);
        }

        var phi = Activation.Parse(activations[random.Next(activations.Count)], leakySlope: 0.01 + 0.5 * random.NextDouble());
        double sigma2 = Math.Exp(Math.Log(0.1) + random.NextDouble() * Math.Log(100));
        double bias = random.Next(2) == 0 ? 0 : 0.05;
        var init = random.Next(3) == 0 ? WeightDistribution.Orthogonal : WeightDistribution.Gaussian;
        var last = random.Next(2) == 0 ? Activation.Identity : phi;
        description = $"widths={string.Join(",", widths)} phi={phi} last={last} sigma2={sigma2:g4} bias={bias} init={init}";
        return NetworkArchitecture.Uniform(widths, phi, sigma2, bias, init, last);
    }

    public static SweepOutcome Run(int index, int seed, int maxDepth, IReadOnlyList<string> activations, int gridPoints, int maxCertifications)
    {
        var random = new Random(seed);
        var network = Draw(random, maxDepth, activations, out var description);
        var watch = Stopwatch.StartNew();
        try
        {
            var options = new SpectrumOptions { GridPoints = gridPoints };
            options.Lilypads.MaxCertificationAttempts = maxCertifications;
            var law = JacobianSpectrum.Compute(network, options);
            double massError = Math.Abs(law.TotalMass - 1);
            double meanError = law.IsPointMass ? 0 : Math.Abs(law.DensityMean / law.Mean - 1);
            return new SweepOutcome(index, description, null, massError, meanError, watch.Elapsed.TotalSeconds);
        }
        catch (SpectralException ex)
        {
            return new SweepOutcome(index, description, ex.GetType().Name + ": " + ex.Message, 0, 0, watch.Elapsed.TotalSeconds);
        }
    }
}
