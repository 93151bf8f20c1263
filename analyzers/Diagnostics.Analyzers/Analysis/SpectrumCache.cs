using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>A computed law with the critical weight variance of the dominant hidden activation, or the engine's error message.</summary>
    internal sealed class SpectrumOutcome
    {
        public SpectrumOutcome(SquaredSingularValueLaw? law, double? criticalWeightVariance, string? error)
        {
            Law = law;
            CriticalWeightVariance = criticalWeightVariance;
            Error = error;
        }

        public SquaredSingularValueLaw? Law { get; }

        /// <summary>chi(q*) = 1 value of <see cref="CriticalGain.AtFixedPoint"/> for the dominant hidden activation; null when none in [1e-4, 1e4].</summary>
        public double? CriticalWeightVariance { get; }

        public string? Error { get; }
    }

    /// <summary>
    /// Spectra keyed by <see cref="NetworkArchitecture.CacheKey"/>, shared by all analyses in the process: thread-safe
    /// (one computation per key), bounded (cleared when it holds <see cref="Capacity"/> entries). A caller waits at most
    /// its time budget; a computation that takes longer goes on in the background and serves the next analysis.
    /// </summary>
    internal static class SpectrumCache
    {
        public const int Capacity = 512;

        /// <summary>
        /// Density grid points: 64 places the deciles within a few per cent (tanh, depth 8: q90 2.26e-4 with 50 points,
        /// 2.20e-4 with 200), enough to sort spectra into decades.
        /// </summary>
        public const int GridPoints = 64;

        /// <summary>
        /// Gauss-Hermite atoms of smooth derivative laws: 16 instead of the engine's 48 (tanh, depth 8: q90 unchanged to
        /// 1e-4 relative, 4.5x faster).
        /// </summary>
        public const int SmoothActivationAtoms = 16;

        /// <summary>
        /// Mass left below a hard-edge grid (estimated from the power law there and still counted in the CDF): 1e-2 instead
        /// of the engine's 1e-6. The grid, and the certified walk that reaches it, end about (L + 1) x 4 decades higher for a
        /// deep square network (the law near zero is ~ x^{1/(L+1)}): 20 x Linear(256) tanh on defaults 2848 instead of
        /// 14545 basin tests, 4.6x faster, with every decile within 0.004 in level of the engine's defaults
        /// (AnalyzerOptionsAccuracyTests; the K = 16 discretisation alone moves them by up to 5e-3, docs/engine/README.md).
        /// </summary>
        public const double TailMass = 1e-2;

        private static readonly ConcurrentDictionary<string, Lazy<Task<SpectrumOutcome>>> Laws = new ConcurrentDictionary<string, Lazy<Task<SpectrumOutcome>>>(StringComparer.Ordinal);

        public static int Count => Laws.Count;

        /// <summary>The engine options the analyzer uses.</summary>
        public static SpectrumOptions Options() => new SpectrumOptions { GridPoints = GridPoints, SmoothActivationAtoms = SmoothActivationAtoms, TailMass = TailMass };

        /// <summary>The outcome, or null when it is not ready within the budget (it keeps computing for later calls).</summary>
        public static SpectrumOutcome? Get(NetworkArchitecture network, TimeSpan budget, CancellationToken cancellation)
        {
            var key = network.CacheKey();
            if (Laws.Count >= Capacity) Laws.Clear();
            var task = Laws.GetOrAdd(key, _ => new Lazy<Task<SpectrumOutcome>>(() => Task.Factory.StartNew(() => Compute(network), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))).Value;
            if (task.IsCompleted) return task.Result;
            return task.Wait((int)Math.Min(int.MaxValue, Math.Max(0, budget.TotalMilliseconds)), cancellation) ? task.Result : null;
        }

        private static readonly ConcurrentDictionary<string, Lazy<Task<string?>>> LayerSpecs = new ConcurrentDictionary<string, Lazy<Task<string?>>>(StringComparer.Ordinal);

        /// <summary>
        /// The per-layer critical initialisations of <see cref="LayerCriticalGains.Specs"/> (one CriticalGain.AtFixedPoint per
        /// distinct smooth activation and bias variance, 0.05 to 1 s each on this machine), computed in the background and
        /// cached like the laws; null when not ready within the budget (the next analysis gets them) or when a layer has none.
        /// </summary>
        public static string? CriticalSpecs(NetworkArchitecture network, TimeSpan budget, CancellationToken cancellation)
        {
            var key = network.CacheKey();
            if (LayerSpecs.Count >= Capacity) LayerSpecs.Clear();
            var task = LayerSpecs.GetOrAdd(key, _ => new Lazy<Task<string?>>(() => Task.Factory.StartNew(() => SafeSpecs(network), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))).Value;
            if (task.IsCompleted) return task.Result;
            return task.Wait((int)Math.Min(int.MaxValue, Math.Max(0, budget.TotalMilliseconds)), cancellation) ? task.Result : null;
        }

        private static string? SafeSpecs(NetworkArchitecture network)
        {
            try
            {
                return LayerCriticalGains.Specs(network);
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>Empties the cache (benchmarks measure cold analyses with it).</summary>
        public static void Clear()
        {
            Laws.Clear();
            LayerSpecs.Clear();
            LayerCriticalGains.Clear();
        }

        private static double? CriticalOrNull(Activation phi, double bias)
        {
            try
            {
                return LayerCriticalGains.Critical(phi, bias); // shared with the per-layer values of the fix
            }
            catch (SpectralException)
            {
                return null;
            }
        }

        private static SpectrumOutcome Compute(NetworkArchitecture network)
        {
            try
            {
                // The critical weight variance does not depend on the spectrum: computed alongside it, so that a cold
                // analysis takes the longer of the two rather than their sum where a second core is free.
                var dominant = DominantActivation.Of(network);
                var critical = Task.Run(() => CriticalOrNull(dominant.Activation, dominant.BiasVariance));
                if (!JacobianSpectrum.TryCompute(network, out var law, out var error, Options())) return new SpectrumOutcome(null, null, error);
                return new SpectrumOutcome(law, critical.GetAwaiter().GetResult(), null);
            }
            catch (Exception ex)
            {
                return new SpectrumOutcome(null, null, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
