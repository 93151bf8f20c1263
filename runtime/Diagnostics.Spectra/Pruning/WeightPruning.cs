using System;
using MathNet.Numerics.LinearAlgebra;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// Prunes a weight matrix: random (each entry kept with probability 1 - s) or magnitude (the round((1 - s) N) entries of
    /// largest |w| kept, ties broken by position), optionally rescaling the kept entries by v^(-1/2), v the variance factor
    /// of <see cref="PrunedNetwork"/> (1 - s, or t_N(k) of <see cref="MagnitudePruningFactor"/>).
    /// </summary>
    /// <remarks>
    /// The magnitude factor t_N(k) is the expectation for iid Gaussian weights (Dadoun et al. 2025, Theorem 6): the rescaled
    /// layer has the dense variance on average over draws, not exactly for each draw.
    /// </remarks>
    public static class WeightPruning
    {
        /// <summary>A pruned copy of <paramref name="weights"/>.</summary>
        /// <exception cref="InvalidArchitectureException">s outside [0, 1), or magnitude pruning that keeps no entry.</exception>
        public static Matrix<double> Prune(Matrix<double> weights, double sparsity, PruningMethod method, bool rescale, Random random)
        {
            if (weights == null) throw new InvalidArchitectureException("weights are null.");
            if (random == null) throw new InvalidArchitectureException("random source is null.");
            PruningSpecification.CheckSparsity(sparsity);
            var values = weights.ToColumnMajorArray();
            long entries = values.LongLength;
            if (sparsity == 0) return Matrix<double>.Build.DenseOfColumnMajor(weights.RowCount, weights.ColumnCount, values);
            double scale;
            if (method == PruningMethod.Random)
            {
                double keep = 1 - sparsity;
                for (int i = 0; i < values.Length; i++)
                {
                    if (random.NextDouble() >= keep) values[i] = 0;
                }

                scale = rescale ? 1 / Math.Sqrt(keep) : 1;
            }
            else
            {
                long kept = MagnitudePruningFactor.KeptCount(entries, sparsity);
                if (kept == 0) throw new InvalidArchitectureException($"sparsity {sparsity} keeps no entry of a {weights.RowCount} x {weights.ColumnCount} matrix.");
                var magnitude = new double[values.Length];
                var index = new int[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    magnitude[i] = Math.Abs(values[i]);
                    index[i] = i;
                }

                Array.Sort(magnitude, index);
                long removed = entries - kept;
                for (long r = 0; r < removed; r++) values[index[r]] = 0;
                scale = rescale ? 1 / Math.Sqrt(MagnitudePruningFactor.Finite(entries, kept)) : 1;
            }

            if (scale != 1)
            {
                for (int i = 0; i < values.Length; i++) values[i] *= scale;
            }

            return Matrix<double>.Build.DenseOfColumnMajor(weights.RowCount, weights.ColumnCount, values);
        }
    }
}
