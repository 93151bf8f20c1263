using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Microsoft.CodeAnalysis;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>lambda_max of the Fisher information at initialisation, or the engine's error message.</summary>
    internal sealed class FisherOutcome
    {
        public FisherOutcome(double? lambdaMax, string? error)
        {
            LambdaMax = lambdaMax;
            Error = error;
        }

        public double? LambdaMax { get; }

        public string? Error { get; }
    }

    /// <summary>
    /// Rule FPT003: the constant learning rate of plain SGD (momentum 0) linked to a model, compared with the largest stable
    /// rate of the loss the settings name (default TorchSharp <c>mse_loss</c> with mean reduction: eta &lt; 1 / lambda_max(H_L)).
    /// </summary>
    /// <remarks>
    /// Hayase and Karakida (2021), "The Spectrum of Fisher Information of Deep Networks Achieving Dynamical Isometry": lambda_max
    /// of the dual conditional Fisher information H_L = (1/M) J J^T at initialisation (<see cref="FisherSpectrum.LargestEigenvalue"/>),
    /// and gradient descent on a quadratic of curvature h is stable iff eta &lt; 2 / h (docs/engine/fisher.md, "Loss normalisation").
    /// The bound assumes a linear last layer, plain SGD and MSE; Adam, AdamW, RMSProp and SGD with momentum are not checked.
    /// lambda_max is cached by architecture like the Jacobian spectra.
    /// </remarks>
    internal static class LearningRateBound
    {
        public const string LearningRateProperty = "learningRate";
        public const string BoundProperty = "learningRateBound";
        public const string SuggestedProperty = "suggestedLearningRate";

        /// <summary>Gauss-Hermite atoms of smooth derivative laws, as for the Jacobian spectra (<see cref="SpectrumCache.SmoothActivationAtoms"/>, 32 nodes for tanh and sigmoid).</summary>
        public static FisherOptions Options() => new FisherOptions { SmoothActivationAtoms = SpectrumCache.SmoothActivationAtoms, DistinctSmoothAtoms = true };

        private static readonly ConcurrentDictionary<string, Lazy<Task<FisherOutcome>>> Cache = new ConcurrentDictionary<string, Lazy<Task<FisherOutcome>>>(StringComparer.Ordinal);

        /// <summary>Empties the cache (benchmarks measure cold analyses with it).</summary>
        public static void Clear() => Cache.Clear();

        /// <summary>The largest stable SGD learning rate of this architecture for the loss, or null when the engine failed.</summary>
        public static double? MaximalStableLearningRate(NetworkArchitecture architecture, LossNormalisation loss)
        {
            var outcome = LargestEigenvalue(architecture, TimeSpan.FromMinutes(10), CancellationToken.None);
            return outcome?.LambdaMax == null ? (double?)null : FisherSpectrum.MaxStableLearningRate(outcome.LambdaMax.Value, architecture.Widths[architecture.Widths.Count - 1], loss);
        }

        /// <summary>lambda_max, or null when it is not ready within the budget (it keeps computing for later calls).</summary>
        public static FisherOutcome? LargestEigenvalue(NetworkArchitecture network, TimeSpan budget, CancellationToken cancellation)
        {
            var key = network.CacheKey();
            if (Cache.Count >= SpectrumCache.Capacity) Cache.Clear();
            var task = Cache.GetOrAdd(key, _ => new Lazy<Task<FisherOutcome>>(() => Task.Factory.StartNew(() => Compute(network), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))).Value;
            if (task.IsCompleted) return task.Result;
            return task.Wait((int)Math.Min(int.MaxValue, Math.Max(0, budget.TotalMilliseconds)), cancellation) ? task.Result : null;
        }

        private static FisherOutcome Compute(NetworkArchitecture network)
        {
            try
            {
                return new FisherOutcome(FisherSpectrum.LargestEigenvalue(network, Options()), null);
            }
            catch (Exception ex)
            {
                return new FisherOutcome(null, ex.GetType().Name + ": " + ex.Message);
            }
        }

        /// <summary>"1/lambda_max" and the like: the bound's formula for the loss.</summary>
        public static string Formula(LossNormalisation loss) => loss switch
        {
            LossNormalisation.HalfMeanSquaredError => "2/lambda_max",
            LossNormalisation.TorchMseLossSum => "1/(M lambda_max)",
            _ => "1/lambda_max",
        };

        /// <summary>The loss the bound refers to, as the message names it.</summary>
        public static string LossText(LossNormalisation loss, int outputWidth) => loss switch
        {
            LossNormalisation.HalfMeanSquaredError => "the half mean squared error (1/(2M))|y - f|^2",
            LossNormalisation.TorchMseLossSum => $"mse_loss, sum reduction, batch 1, M = {outputWidth}",
            _ => "mse_loss, mean reduction",
        };

        /// <summary>
        /// FPT003 for each plain-SGD optimiser of the model whose constant rate is above the bound; notes for the summary
        /// (the bound, or why it was not checked) are added to <paramref name="notes"/>.
        /// </summary>
        public static ImmutableArray<Diagnostic> Check(ExtractedModel model, NetworkArchitecture network, AnalyzerSettings settings, System.Collections.Generic.List<string> notes, CancellationToken cancellation)
        {
            var result = ImmutableArray.CreateBuilder<Diagnostic>();
            foreach (var optimizer in model.Optimizers)
            {
                if (optimizer.Kind != "SGD" || optimizer.LearningRate == null) continue;
                if (!(optimizer.LearningRate.Value > 0) || double.IsInfinity(optimizer.LearningRate.Value))
                {
                    notes.Add($"the SGD learning rate {Format.Number(optimizer.LearningRate.Value)} is not a positive finite number: not checked");
                    continue;
                }

                if (optimizer.Momentum == null || optimizer.Momentum.Value != 0)
                {
                    notes.Add("the SGD learning-rate bound (FPT003) holds for momentum 0 only: not checked");
                    continue;
                }

                if (network.Layers[network.Depth - 1].Activation.Kind != ActivationKind.Identity)
                {
                    notes.Add($"the SGD learning-rate bound (FPT003) assumes a linear last layer (this one ends with {network.Layers[network.Depth - 1].Activation}): not checked");
                    continue;
                }

                var outcome = LargestEigenvalue(network, settings.TimeBudget, cancellation);
                if (outcome == null)
                {
                    notes.Add($"lambda_max of the Fisher information took longer than the time budget ({AnalyzerSettings.TimeBudgetKey}): the SGD learning rate was not checked");
                    continue;
                }

                if (outcome.LambdaMax == null)
                {
                    notes.Add("the Fisher engine failed (" + outcome.Error + "): the SGD learning rate was not checked");
                    continue;
                }

                double lambdaMax = outcome.LambdaMax.Value;
                int outputWidth = network.Widths[network.Widths.Count - 1];
                var loss = settings.Loss;
                double bound = FisherSpectrum.MaxStableLearningRate(lambdaMax, outputWidth, loss);
                double rate = optimizer.LearningRate.Value;
                string lossText = LossText(loss, outputWidth);
                if (rate <= bound)
                {
                    notes.Add($"SGD learning rate {Format.Number(rate)} is within the stability bound {Format.Number(bound)} = {Formula(loss)} (lambda_max = {Format.Number(lambdaMax)}, {lossText})");
                    continue;
                }

                double suggested = Suggest(bound * settings.LearningRateFraction);
                var properties = ImmutableDictionary.CreateBuilder<string, string?>();
                properties[LearningRateProperty] = R(rate);
                properties[BoundProperty] = R(bound);
                properties[SuggestedProperty] = Literal(suggested);
                var location = (optimizer.LearningRateNode ?? optimizer.Node).GetLocation();
                if (location.SourceTree != model.Location.SourceTree) continue;
                result.Add(Diagnostic.Create(Descriptors.FPT003_LearningRateAboveStabilityBound, location, properties.ToImmutable(),
                    Format.Number(rate), Format.Number(bound), Formula(loss), Format.Number(lambdaMax), lossText, Format.Number(suggested)));
            }

            return result.ToImmutable();
        }

        /// <summary>
        /// The rate the fix writes: <paramref name="target"/> rounded down to 3 significant digits, so it never exceeds the
        /// stated fraction of the bound.
        /// </summary>
        public static double Suggest(double target)
        {
            if (!(target > 0) || double.IsInfinity(target)) return target;
            double scale = Math.Pow(10, Math.Floor(Math.Log10(target)) - 2);
            double rounded = Math.Floor(target / scale * (1 + 1e-12)) * scale;
            return double.Parse(rounded.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        /// <summary>A C# double literal of the suggested rate (3 significant digits).</summary>
        public static string Literal(double value)
        {
            var text = value.ToString("G3", CultureInfo.InvariantCulture);
            return text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 ? text : text + ".0";
        }

        private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    }
}
