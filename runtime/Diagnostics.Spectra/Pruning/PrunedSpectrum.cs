using System;
using System.Linq;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Pruning
{
    /// <summary>
    /// The limiting law of the squared singular values of the Jacobian of a pruned network (rescaled or not), the dense
    /// law it is compared with, the shrinkage of the spectral norm, and the sufficient stability condition.
    /// </summary>
    /// <remarks>
    /// Dadoun, Hayou, Salam, Seddik and Youssef (2025): with rescaling by (1 - s)^(-1/2) (random) or t^(-1/2) (magnitude)
    /// the pruned Jacobian has the dense law; without it, each pruned layer's sigma_l^2 is multiplied by its variance factor
    /// v_l. For activations whose derivative depends only on the sign of the pre-activation (identity, ReLU, leaky ReLU) or
    /// is constant in modulus (hard sine) the laws of D_l^2 do not move, so J^T J is multiplied exactly by prod v_l and the
    /// spectral norm by prod sqrt(v_l): (1 - s)^(m/2) for m randomly pruned layers — (1 - s)^((L-1)/2) when all layers but
    /// one (e.g. the input layer) are pruned, (1 - s)^(L/2) when all L are. For other activations q_l shrinks too, which moves
    /// D_l^2; the engine's law gives the ratio. Monte-Carlo accuracy: docs/engine/pruning.md.
    /// </remarks>
    public sealed class PrunedSpectrum
    {
        private PrunedSpectrum(PrunedNetwork network, SquaredSingularValueLaw law, SquaredSingularValueLaw denseLaw, SparseStabilityCondition? condition)
        {
            Network = network;
            Law = law;
            DenseLaw = denseLaw;
            Condition = condition;
        }

        public PrunedNetwork Network { get; }

        /// <summary>Law of the eigenvalues of J^T J of the pruned network (rescaled or not).</summary>
        public SquaredSingularValueLaw Law { get; }

        /// <summary>Law of the dense network (the same object as <see cref="Law"/> when nothing changes the variances).</summary>
        public SquaredSingularValueLaw DenseLaw { get; }

        /// <summary>||J_pruned|| / ||J_dense|| in the limit: sqrt of the ratio of the upper support edges.</summary>
        public double SpectralNormShrinkage => Math.Sqrt(Law.SupportUpper / DenseLaw.SupportUpper);

        /// <summary>Ratio of the means of J^T J (pruned over dense): prod of the chi_l ratios.</summary>
        public double MeanRatio => Law.Mean / DenseLaw.Mean;

        /// <summary>
        /// prod over layers of sqrt(effective variance factor): the exact shrinkage of the spectral norm when every activation's
        /// derivative law is invariant under scaling of the pre-activations (see <see cref="HasScaleInvariantDerivatives"/>).
        /// </summary>
        public double HomogeneousShrinkage => Network.EffectiveVarianceFactors.Aggregate(1.0, (p, v) => p * Math.Sqrt(v));

        /// <summary>True when every layer's phi'(h)^2 law does not depend on q (identity, ReLU, leaky ReLU, hard sine).</summary>
        public bool HasScaleInvariantDerivatives => Network.Dense.Layers.All(l => IsScaleInvariant(l.Activation));

        /// <summary>The sufficient condition 1 - s &gt;&gt; log(n)^5 / n, n the smallest dimension of a pruned layer; null when no layer is pruned.</summary>
        public SparseStabilityCondition? Condition { get; }

        /// <summary>Computes the pruned and the dense laws.</summary>
        /// <exception cref="SpectralException">Invalid network or pruning (<see cref="InvalidArchitectureException"/>) or an engine failure.</exception>
        public static PrunedSpectrum Compute(NetworkArchitecture dense, PruningSpecification pruning, SpectrumOptions? options = null)
        {
            var network = PrunedNetwork.Create(dense, pruning);
            return Compute(network, options);
        }

        /// <summary>Computes the laws of an already built <see cref="PrunedNetwork"/>.</summary>
        public static PrunedSpectrum Compute(PrunedNetwork network, SpectrumOptions? options = null)
        {
            if (network == null) throw new InvalidArchitectureException("pruned network is null.");
            var denseLaw = JacobianSpectrum.Compute(network.Dense, options);
            bool unchanged = network.EffectiveVarianceFactors.All(v => v == 1);
            var law = unchanged ? denseLaw : JacobianSpectrum.Compute(network.Effective, options);
            SparseStabilityCondition? condition = null;
            var pruned = Enumerable.Range(1, network.Dense.Depth).Where(network.Pruning.IsPruned).ToArray();
            if (pruned.Length > 0)
            {
                int width = pruned.Min(l => Math.Min(network.Dense.Widths[l - 1], network.Dense.Widths[l]));
                condition = SparseStabilityCondition.For(Math.Max(2, width), network.Pruning.Density);
            }

            return new PrunedSpectrum(network, law, denseLaw, condition);
        }

        internal static bool IsScaleInvariant(Activation activation) =>
            activation.Kind == ActivationKind.Identity || activation.Kind == ActivationKind.Relu
            || activation.Kind == ActivationKind.LeakyRelu || activation.Kind == ActivationKind.HardSine;
    }
}
