using Diagnostics.Spectra.Inversion;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>Settings of <see cref="JacobianSpectrum.Compute(Diagnostics.Spectra.Architecture.NetworkArchitecture, SpectrumOptions)"/>, each with a documented default.</summary>
    public sealed class SpectrumOptions
    {
        /// <summary>Points of the density grid over the support. Default 400.</summary>
        public int GridPoints { get; set; } = 400;

        /// <summary>
        /// Im z used for the density, relative to x: y = Eta * x (default 1e-7). Ignored when
        /// <see cref="AbsoluteEta"/> is set.
        /// </summary>
        public double Eta { get; set; } = 1e-7;

        /// <summary>When set, Im z = this value (in the units of the eigenvalues) at every grid point.</summary>
        public double? AbsoluteEta { get; set; }

        /// <summary>Gauss-Hermite atoms used to discretise the D^2 law of smooth activations. Default 48.</summary>
        public int SmoothActivationAtoms { get; set; } = DerivativeLaw.DefaultAtoms;

        /// <summary>
        /// When true, <see cref="SmoothActivationAtoms"/> counts distinct atoms: tanh and sigmoid, whose phi'^2 is even so that
        /// K Gauss-Hermite nodes pair up into K/2 atoms, get 2K nodes (at most 400). Default false (K nodes for every
        /// activation); the analyzer sets it (docs/engine/README.md, "Speed": 20 x 256 orthogonal tanh 22.9 s -&gt; 3.4 s,
        /// deciles 0.020 -&gt; 0.0074 in level from K = 48).
        /// </summary>
        public bool DistinctSmoothAtoms { get; set; }

        /// <summary>The Gauss-Hermite nodes for <paramref name="phi"/>'s D^2 law under these options.</summary>
        internal int NodesFor(Diagnostics.Spectra.Architecture.Activation phi) => DerivativeLaw.Nodes(phi, SmoothActivationAtoms, DistinctSmoothAtoms);

        /// <summary>
        /// Discretised D^2 laws whose variance over their squared mean is small are pooled, per width ratio and while their
        /// summed variance stays within this budget, into one law of 2-8 atoms with the moments of their free product up to
        /// order 3-15 (Laws/ConcentratedDerivativeLaws); 0 turns pooling off. Default 0.3: on 20 x Linear(256) TorchSharp
        /// defaults (tanh, sigmoid, GELU, SiLU, softplus, K = 16) the deciles moved by at most 4e-6 in level.
        /// </summary>
        public double ConcentratedLawVariance { get; set; } = 0.3;

        /// <summary>
        /// Each discretised D^2 law on its own: runs of its atoms whose variance over their squared mean is within this
        /// budget are replaced by their Gauss rule of 2-8 atoms, cut so that the law has the fewest atoms
        /// (Laws/ReducedDerivativeLaws); 0 turns it off. Default 0 (the engine's laws are those of the K-point
        /// discretisation); the analyzer uses 0.3 (docs/engine/README.md, "Speed", for what it moves).
        /// </summary>
        public double AtomReductionVariance { get; set; }

        /// <summary>
        /// Relative tolerance (0 to 1e-2) to which two layers' discretised D^2 factors (atoms times rho, weights) count as the
        /// same and are grouped into one unknown of the master equation; each layer's own mean still enters the exact mean.
        /// Default 1e-10, below any discretisation error. The analyzer uses 1e-4: on 20 x Linear(256) softplus at TorchSharp
        /// defaults (K = 16) the unknowns drop from 15 to 8 and the deciles move by 1.4e-7 in level.
        /// </summary>
        public double LayerGroupingTolerance { get; set; } = Inversion.MasterEquation.GroupingTolerance;

        /// <summary>For laws with a hard edge at zero: stop extending the grid downwards once the estimated mass below it is under this. Default 1e-6.</summary>
        public double TailMass { get; set; } = 1e-6;

        /// <summary>Number of exact moments computed from the master equation's series. Default 6.</summary>
        public int MomentOrder { get; set; } = 6;

        /// <summary>Quantile levels reported by default (deciles).</summary>
        public double[] QuantileLevels { get; set; } = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

        /// <summary>Thresholds of the regime summary.</summary>
        public RegimeThresholds Regime { get; set; } = new RegimeThresholds();

        /// <summary>Newton-lilypad tolerances and budgets.</summary>
        public LilypadOptions Lilypads { get; set; } = new LilypadOptions();
    }

    /// <summary>
    /// When a spectrum is called vanishing or exploding, from the 90% quantile q90 of the non-zero squared singular
    /// values. Defaults: vanishing when q90 &lt; 1e-2 (even the strongest tenth of directions lose more than 10x in
    /// norm), exploding when q90 &gt; 1e2 (a tenth of the directions gain more than 10x); well conditioned when the
    /// 10%-90% spread is under one decade.
    /// </summary>
    public sealed class RegimeThresholds
    {
        public double Vanishing { get; set; } = 1e-2;
        public double Exploding { get; set; } = 1e2;
        public double WellConditionedDecades { get; set; } = 1;
    }
}
