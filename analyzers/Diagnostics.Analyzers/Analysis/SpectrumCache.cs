using System;
using System.Collections.Concurrent;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>A computed law, or the engine's error message.</summary>
    internal sealed class SpectrumOutcome
    {
        public SpectrumOutcome(SquaredSingularValueLaw? law, string? error)
        {
            Law = law;
            Error = error;
        }

        public SquaredSingularValueLaw? Law { get; }

        public string? Error { get; }
    }

    /// <summary>
    /// Spectra keyed by <see cref="NetworkArchitecture.CacheKey"/>, shared by all analyses in the process: thread-safe
    /// (one computation per key through Lazy), bounded (cleared when it holds <see cref="Capacity"/> entries).
    /// </summary>
    internal static class SpectrumCache
    {
        public const int Capacity = 512;

        /// <summary>Grid points of the density: 200 resolves the deciles to a few per cent, enough to place them in decades.</summary>
        public const int GridPoints = 200;

        private static readonly ConcurrentDictionary<string, Lazy<SpectrumOutcome>> Laws = new ConcurrentDictionary<string, Lazy<SpectrumOutcome>>(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<string, double?> CriticalVariances = new ConcurrentDictionary<string, double?>(StringComparer.Ordinal);

        public static int Count => Laws.Count;

        public static SpectrumOutcome Get(NetworkArchitecture network)
        {
            var key = network.CacheKey();
            if (Laws.Count >= Capacity) Laws.Clear();
            return Laws.GetOrAdd(key, _ => new Lazy<SpectrumOutcome>(() => Compute(network))).Value;
        }

        /// <summary>Critical sigma_w^2 (chi(q*) = 1) from <see cref="CriticalGain.AtFixedPoint"/>, null when the engine finds none.</summary>
        public static double? CriticalWeightVariance(Activation phi, double biasVariance)
        {
            var key = phi + "|" + biasVariance.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            if (CriticalVariances.Count >= Capacity) CriticalVariances.Clear();
            return CriticalVariances.GetOrAdd(key, _ =>
            {
                try
                {
                    return CriticalGain.AtFixedPoint(phi, biasVariance);
                }
                catch (SpectralException)
                {
                    return null;
                }
            });
        }

        /// <summary>Empties the cache (benchmarks measure cold analyses with it).</summary>
        public static void Clear()
        {
            Laws.Clear();
            CriticalVariances.Clear();
        }

        private static SpectrumOutcome Compute(NetworkArchitecture network)
        {
            try
            {
                var options = new SpectrumOptions { GridPoints = GridPoints };
                return JacobianSpectrum.TryCompute(network, out var law, out var error, options) ? new SpectrumOutcome(law, null) : new SpectrumOutcome(null, error);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return new SpectrumOutcome(null, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
