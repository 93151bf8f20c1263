using System;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// The sufficient condition of Dadoun et al. (2025) for the pruned-and-rescaled network to keep the dense Jacobian
    /// law: density 1 - s much larger than log(n)^5 / n, n the width. Reported as the ratio (1 - s) / (log(n)^5 / n).
    /// </summary>
    /// <remarks>
    /// log(n)^5 / n &gt;= 1 for 4 &lt;= n &lt;= about 3.32e5 (log(n)^5 = n near 332,200), so at every practical width the
    /// condition cannot hold for any s: it is a sufficient asymptotic condition, not a threshold. The observed threshold
    /// (Monte Carlo, docs/engine/pruning.md) lies near 10-45 kept weights per row instead (1 - s ~ d / n).
    /// </remarks>
    public sealed class SparseStabilityCondition
    {
        private SparseStabilityCondition(int width, double density)
        {
            Width = width;
            Density = density;
            double log = Math.Log(width);
            Bound = Math.Pow(log, 5) / width;
        }

        /// <summary>n: the smallest dimension among the pruned layers.</summary>
        public int Width { get; }

        /// <summary>1 - s.</summary>
        public double Density { get; }

        /// <summary>log(n)^5 / n (natural logarithm).</summary>
        public double Bound { get; }

        /// <summary>(1 - s) / (log(n)^5 / n): the condition asks for this to be large.</summary>
        public double Ratio => Density / Bound;

        /// <summary>True when 1 - s exceeds log(n)^5 / n (necessary for "much larger"; never true for 4 &lt;= n &lt;= ~3.32e5).</summary>
        public bool IsSatisfied => Density > Bound;

        /// <summary>The condition for width <paramref name="width"/> and density <paramref name="density"/>.</summary>
        /// <exception cref="InvalidArchitectureException">Width below 2 or density outside (0, 1].</exception>
        public static SparseStabilityCondition For(int width, double density)
        {
            if (width < 2) throw new InvalidArchitectureException($"the width must be at least 2, got {width}.");
            if (!(density > 0 && density <= 1)) throw new InvalidArchitectureException($"the density 1 - s must be in (0, 1], got {density}.");
            return new SparseStabilityCondition(width, density);
        }
    }
}
