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
    /// <summary>
    /// A computed law with the critical weight variance that FPT001/FPT002 quote (for the activation and bias variance of
    /// <see cref="DominantActivation"/>), or the engine's error message.
    /// </summary>
    internal sealed class SpectrumOutcome
    {
        public SpectrumOutcome(SquaredSingularValueLaw? law, double? criticalWeightVariance, string? error)
        {
            Law = law;
            CriticalWeightVariance = criticalWeightVariance;
            Error = error;
        }

        public SquaredSingularValueLaw? Law { get; }

        /// <summary>
        /// The chi(q*) = 1 value of <see cref="CriticalGain.AtFixedPoint"/> for <see cref="DominantActivation"/>'s activation
        /// and bias variance (through <see cref="LayerCriticalGains.Critical"/>, whose cache the per-layer fix shares); null
        /// when there is none in [1e-4, 1e4], when the engine throws a <see cref="SpectralException"/> for it, and when the
        /// law failed.
        /// </summary>
        public double? CriticalWeightVariance { get; }

        public string? Error { get; }
    }

    /// <summary>
    /// Two caches keyed by <see cref="NetworkArchitecture.CacheKey"/> and shared by all analyses in the process: the
    /// spectrum with the critical weight variance of the message (<see cref="Get"/>) and the per-layer critical
    /// initialisations of the fix (<see cref="CriticalSpecs"/>). Each is thread-safe (one computation per key while the
    /// entry is held) and bounded (emptied when it holds <see cref="Capacity"/> entries). A computation runs on a thread
    /// of its own; a caller waits at most its time budget, and a computation that takes longer goes on and serves the
    /// next analysis of the same architecture.
    /// </summary>
    internal static class SpectrumCache
    {
        public const int Capacity = 512;

        /// <summary>
        /// Density grid points: 64 instead of the engine's 400, enough to sort spectra into decades (8 x Linear(256), tanh
        /// after the first seven, TorchSharp's defaults: q90 2.383e-4 with 64 points, 2.386e-4 with 50, 2.373e-4 with 200
        /// and with the engine's defaults).
        /// </summary>
        public const int GridPoints = 64;

        /// <summary>Grid points of the second try when the density on <see cref="GridPoints"/> misses the exact mass.</summary>
        public const int RetryGridPoints = 4 * GridPoints;

        /// <summary>
        /// Tail mass of the second try: the engine's default. The analyzer's 1e-2 leaves the hard-edge tail below the grid to
        /// an extrapolation that can miss the exact mass by more than the guard allows on any grid (Gaussian SELU with a
        /// chain of width-5 bottlenecks: 0.0121 for the exact 0.0111 on 64 and on 200 points).
        /// </summary>
        public const double RetryTailMass = 1e-6;

        /// <summary>
        /// Gauss-Hermite atoms of the D^2 laws of smooth activations: 16 instead of the engine's 48 (same network: q90
        /// 2.3826e-4 with 16, 2.3825e-4 with 48). The cost of the spectrum grows with the atoms of the layers that
        /// <see cref="SpectrumOptions.ConcentratedLawVariance"/> does not pool. The level error of K = 16 against larger K
        /// is in docs/engine/README.md ("error against K": 5.4e-3 for tanh, 2.0e-3 for sigmoid; "Speed": 0.033 for GELU and
        /// 0.074 for SiLU at their critical gains). Counted as distinct atoms (<see cref="SpectrumOptions.DistinctSmoothAtoms"/>):
        /// tanh and sigmoid, whose nodes pair up, get 32 nodes. Measured: sigmoid at its critical gain (sigma_w^2 = 103,
        /// 20 x 256 Gaussian) 0.032 -&gt; 0.0005 in level from K = 96, tanh at its critical gain 8.2e-4 -&gt; 6.1e-4 and 55 -&gt;
        /// 37 ms; orthogonal 20 x 256 tanh at sigma_w^2 = 1 0.020 -&gt; 0.0074 and 22.9 -&gt; 3.4 s; the cost: sigmoid at its
        /// critical gain 56 -&gt; 234 ms, orthogonal sigmoid at sigma_w^2 = 1 0.8 -&gt; 3.4 s.
        /// </summary>
        public const int SmoothActivationAtoms = 16;

        /// <summary>
        /// Mass left below a hard-edge grid (estimated from the power law there and still counted in the CDF): 1e-2 instead
        /// of the engine's 1e-6. The grid, and the certified walk that reaches it, end about (L + 1) x 4 decades higher for a
        /// deep square network (the law near zero is ~ x^{1/(L+1)}): 20 x Linear(256) tanh on TorchSharp's defaults takes
        /// 1,880 instead of 7,034 basin tests (docs/engine/README.md, "Speed": with the secant predictor, before the pooled
        /// D^2 laws). With all three options, every decile of the
        /// 20 x Linear(256) models of AnalyzerOptionsAccuracyTests stays within 0.01 in level of the engine's defaults
        /// (measured 3e-4 to 3.1e-3 on TorchSharp's defaults, 8e-4 for tanh at its critical gain).
        /// </summary>
        public const double TailMass = 1e-2;

        /// <summary>
        /// Layers whose discretised D^2 factors agree to this relative tolerance share one unknown of the master equation:
        /// 1e-4 instead of the engine's 1e-10. Layers converging to q* geometrically then group much earlier (softplus on
        /// TorchSharp's defaults: 15 unknowns -> 8, deciles within 1.4e-7 in level, far below the K = 16 error above).
        /// </summary>
        public const double LayerGroupingTolerance = 1e-4;

        /// <summary>
        /// Runs of atoms inside each D^2 law of a Gaussian layer with variance over squared mean up to this are replaced by
        /// their 2-8-point Gauss rules (<see cref="SpectrumOptions.AtomReductionVariance"/>; the engine's default is 0).
        /// On 20 x Linear(256), TorchSharp's defaults and the critical gains, 7 smooth activations: SELU 9 atoms per layer
        /// -&gt; 3-6, softplus 16 -&gt; 8-9, deciles within 2.4e-5 in level of the unreduced laws; on 224 random architectures
        /// within 9.7e-4 (docs/engine/README.md, "Speed").
        /// </summary>
        public const double AtomReductionVariance = 0.3;

        private static readonly ConcurrentDictionary<string, Lazy<Task<SpectrumOutcome>>> Laws = new ConcurrentDictionary<string, Lazy<Task<SpectrumOutcome>>>(StringComparer.Ordinal);

        public static int Count => Laws.Count;

        /// <summary>The engine options the analyzer uses.</summary>
        public static SpectrumOptions Options() => new SpectrumOptions
        {
            GridPoints = GridPoints, SmoothActivationAtoms = SmoothActivationAtoms, TailMass = TailMass, LayerGroupingTolerance = LayerGroupingTolerance,
            AtomReductionVariance = AtomReductionVariance, DistinctSmoothAtoms = true,
        };

        /// <summary>
        /// The outcome, or null when it is not ready within the budget (it keeps computing for later calls); cancellation
        /// ends the wait, not the computation.
        /// </summary>
        public static SpectrumOutcome? Get(NetworkArchitecture network, TimeSpan budget, CancellationToken cancellation)
        {
            var task = Start(network);
            if (task.IsCompleted) return task.Result;
            return task.Wait((int)Math.Min(int.MaxValue, Math.Max(0, budget.TotalMilliseconds)), cancellation) ? task.Result : null;
        }

        /// <summary>
        /// The computation of this architecture's outcome, started (in the background) unless it is cached or running: the
        /// analysis starts it before it waits for lambda_max, so that the two overlap where a second core is free.
        /// </summary>
        public static Task<SpectrumOutcome> Start(NetworkArchitecture network)
        {
            var key = network.CacheKey();
            if (Laws.Count >= Capacity) Laws.Clear();
            return Laws.GetOrAdd(key, _ => new Lazy<Task<SpectrumOutcome>>(() => Task.Factory.StartNew(() => Compute(network), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))).Value;
        }

        private static readonly ConcurrentDictionary<string, Lazy<Task<string?>>> LayerSpecs = new ConcurrentDictionary<string, Lazy<Task<string?>>>(StringComparer.Ordinal);

        /// <summary>
        /// The per-layer critical initialisations of <see cref="LayerCriticalGains.Specs"/> (one CriticalGain.AtFixedPoint per
        /// distinct activation and bias variance other than ReLU, leaky ReLU and the identity, whose values are closed forms;
        /// measured cold on this 2-core machine: SiLU 60-70 ms, tanh 17-55 ms, sigmoid 15-17 ms, the others under 3 ms),
        /// computed in the background and cached like the laws; null when not ready within the budget (the next analysis
        /// gets them), when a layer has no critical variance in [1e-4, 1e4] or when the engine throws.
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

        /// <summary>Empties both caches and the critical values of <see cref="LayerCriticalGains"/> (benchmarks measure cold analyses with it).</summary>
        public static void Clear()
        {
            Laws.Clear();
            LayerSpecs.Clear();
            LayerCriticalGains.Clear();
        }

        /// <summary>The critical weight variance, or null when there is none in [1e-4, 1e4] or the engine throws a <see cref="SpectralException"/> for it.</summary>
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

        /// <summary>The law and the critical weight variance, computed concurrently; any other exception becomes the outcome's error.</summary>
        private static SpectrumOutcome Compute(NetworkArchitecture network)
        {
            try
            {
                // The critical weight variance does not depend on the spectrum: computed alongside it, so that a cold
                // analysis takes the longer of the two rather than their sum where a second core is free.
                var dominant = DominantActivation.Of(network);
                var critical = Task.Run(() => CriticalOrNull(dominant.Activation, dominant.BiasVariance));
                SquaredSingularValueLaw law;
                try
                {
                    law = JacobianSpectrum.Compute(network, Options());
                }
                catch (DensityResolutionException)
                {
                    // The 64-point grid did not resolve the law (e.g. one Gaussian tanh layer 888 -> 301 at sigma_w^2
                    // 1.05: a cluster of tiny eigenvalues ten decades below the bulk); once more on 4x the points, with
                    // the engine's tail mass.
                    var finer = Options();
                    finer.GridPoints = RetryGridPoints;
                    finer.TailMass = RetryTailMass;
                    if (!JacobianSpectrum.TryCompute(network, out var retried, out var error, finer)) return new SpectrumOutcome(null, null, error);
                    law = retried!;
                }
                catch (SpectralException ex)
                {
                    return new SpectrumOutcome(null, null, ex.Message);
                }

                return new SpectrumOutcome(law, critical.GetAwaiter().GetResult(), null);
            }
            catch (Exception ex)
            {
                return new SpectrumOutcome(null, null, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
