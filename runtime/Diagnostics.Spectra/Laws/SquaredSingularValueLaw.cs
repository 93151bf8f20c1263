using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>Vanishing, critical or exploding.</summary>
    public enum SpectralRegime
    {
        Vanishing,
        Critical,
        Exploding,
    }

    /// <summary>
    /// The limiting law of the eigenvalues of J^T J (N_0 x N_0, zeros included) of a network at initialisation:
    /// atom at zero, density of the non-zero part on a grid, support, exact moments, CDF and quantiles.
    /// </summary>
    public sealed class SquaredSingularValueLaw
    {
        private readonly double[] _grid;
        private readonly double[] _density;
        private readonly double[] _cdfNonZero; // normalised CDF of the continuous part at the grid points (atoms excluded)
        private readonly SpectralAtom[] _atoms; // atoms away from zero, ascending
        private readonly double _atomsFraction; // their mass as a fraction of the non-zero part

        internal SquaredSingularValueLaw(
            NetworkArchitecture network,
            SignalPropagationResult propagation,
            IReadOnlyList<DerivativeLaw> derivativeLaws,
            double atom,
            double mean,
            double[] moments,
            double lower,
            double upper,
            double[] grid,
            double[] density,
            double[] cdfNonZero,
            double tailMass,
            double nonZeroMass,
            double densityMean,
            string etaDescription,
            double smallestImaginaryPart,
            bool rational,
            long certifications,
            SpectrumOptions options,
            double continuousUpper = double.NaN,
            double atomAtTop = 0,
            IReadOnlyList<SpectralAtom>? nonZeroAtoms = null)
        {
            ContinuousUpper = double.IsNaN(continuousUpper) ? upper : continuousUpper;
            AtomAtTop = atomAtTop;
            TopAtomFraction = atomAtTop > 0 ? atomAtTop / nonZeroMass : 0;
            var atoms = new List<SpectralAtom>();
            if (nonZeroAtoms != null) atoms.AddRange(nonZeroAtoms);
            else if (atomAtTop > 0) atoms.Add(new SpectralAtom(upper, atomAtTop));
            atoms.Sort((a, b) => a.Position.CompareTo(b.Position));
            _atoms = atoms.ToArray();
            double atomMass = 0;
            foreach (var a in _atoms) atomMass += a.Mass;
            _atomsFraction = atomMass > 0 ? atomMass / nonZeroMass : 0;
            Network = network;
            Propagation = propagation;
            DerivativeLaws = derivativeLaws;
            AtomAtZero = atom;
            Mean = mean;
            Moments = moments;
            SupportLower = lower;
            SupportUpper = upper;
            _grid = grid;
            _density = density;
            _cdfNonZero = cdfNonZero;
            TailMassBelowGrid = tailMass;
            NonZeroMassFromDensity = nonZeroMass;
            DensityMean = densityMean;
            EtaDescription = etaDescription;
            SmallestImaginaryPart = smallestImaginaryPart;
            IsRationalMasterEquation = rational;
            Certifications = certifications;
            Options = options;
            var q10 = QuantileNonZero(0.1);
            var q90 = QuantileNonZero(0.9);
            Spread = q10 > 0 ? Math.Log10(q90 / q10) : double.PositiveInfinity;
            Regime = q90 < options.Regime.Vanishing ? SpectralRegime.Vanishing
                : q90 > options.Regime.Exploding ? SpectralRegime.Exploding
                : SpectralRegime.Critical;
        }

        public NetworkArchitecture Network { get; }

        /// <summary>q_l, chi_l and the per-layer gains.</summary>
        public SignalPropagationResult Propagation { get; }

        /// <summary>The law of D_l^2 used for each layer (discretised for smooth activations).</summary>
        public IReadOnlyList<DerivativeLaw> DerivativeLaws { get; }

        /// <summary>Mass at zero of the law of J^T J: 1 - min(N_0, min_l alpha_l N_l) / N_0 (exact, from ranks).</summary>
        public double AtomAtZero { get; }

        /// <summary>Mass at zero of the law of J J^T (N_L x N_L); its non-zero part is the same as that of J^T J.</summary>
        public double AtomAtZeroOutput
        {
            get
            {
                double n0 = Network.WidthProfile[0];
                double nl = Network.WidthProfile[Network.Depth];
                return 1 - (1 - AtomAtZero) * n0 / nl;
            }
        }

        /// <summary>Mean eigenvalue of J^T J (zeros included), prod_l of the layer gains.</summary>
        public double Mean { get; }

        /// <summary>Exact moments m_1..m_K of the law of J^T J (zeros included), from the master equation's series.</summary>
        public IReadOnlyList<double> Moments { get; }

        /// <summary>Lower edge of the support of the non-zero part (0 for a hard edge at zero).</summary>
        public double SupportLower { get; }

        /// <summary>Upper edge of the support: the limiting largest squared singular value.</summary>
        public double SupportUpper { get; }

        /// <summary>
        /// Upper edge of the continuous part: <see cref="SupportUpper"/>, unless the law has a point mass at its top
        /// (orthogonal networks whose active subspaces intersect, e.g. orthogonal hard tanh with sum_l p_l &gt; L - 1),
        /// where the density ends below the atom.
        /// </summary>
        public double ContinuousUpper { get; }

        /// <summary>
        /// Mass of the point mass at <see cref="SupportUpper"/> in the whole law (0 when there is none), exact: the residue
        /// of the master equation at the point where its degree drops (sum_l p_l - (L - 1) for free projections).
        /// </summary>
        public double AtomAtTop { get; }

        /// <summary>The top atom as a fraction of the non-zero mass integrated with it (the CDF's jump at the top).</summary>
        public double TopAtomFraction { get; }

        /// <summary>
        /// Point masses away from zero, ascending, with their mass in the whole law (exact; empty for most networks). They
        /// need orthogonal weights throughout and piecewise-linear activations: e.g. orthogonal hard tanh (an atom at the
        /// top, <see cref="AtomAtTop"/>), or orthogonal leaky ReLU between mildly compressing layers (an atom at each end).
        /// </summary>
        public IReadOnlyList<SpectralAtom> NonZeroAtoms => _atoms;

        /// <summary>True when the non-zero part is a single point (e.g. a linear network with orthogonal weights).</summary>
        public bool IsPointMass => _grid.Length == 0 && _atoms.Length <= 1;

        /// <summary>
        /// Number of deep dips (below 1e-3 of the density on both sides) in a density computed with discretised smooth D^2
        /// laws, when there are at least 3; otherwise 0. A smooth layer behind a strong bottleneck (e.g. orthogonal
        /// softplus 400-400-50-10) makes J J^T close to a multiple of that layer's D^2, and the K-atom discretisation then
        /// shows as separated bumps: mass, moments and quantiles still agree with the smooth law (docs/engine), the
        /// density between the bumps does not.
        /// </summary>
        public int DiscretisationBumps { get; internal set; }

        /// <summary>True when the non-zero part has no continuous part: one or several atoms (<see cref="NonZeroAtoms"/>).</summary>
        public bool IsPurelyAtomic => _grid.Length == 0;

        /// <summary>Grid of eigenvalues (ascending) over the support.</summary>
        public IReadOnlyList<double> Grid => _grid;

        /// <summary>Density of the continuous part at the grid points (integrates to 1 - AtomAtZero - AtomAtTop).</summary>
        public IReadOnlyList<double> Density => _density;

        /// <summary>Mass of the non-zero part below the first grid point (power-law tail estimate; 0 for a soft edge).</summary>
        public double TailMassBelowGrid { get; }

        /// <summary>Integral of the density plus the tail estimate and the top atom; 1 - AtomAtZero up to quadrature error.</summary>
        public double NonZeroMassFromDensity { get; }

        /// <summary>Total mass AtomAtZero + NonZeroMassFromDensity: 1 up to quadrature error.</summary>
        public double TotalMass => AtomAtZero + NonZeroMassFromDensity;

        /// <summary>Mean computed by integrating the density (checks the grid against <see cref="Mean"/>).</summary>
        public double DensityMean { get; }

        /// <summary>How Im z was chosen for the density ("y = 1e-07 x" or "y = 0.0001").</summary>
        public string EtaDescription { get; }

        /// <summary>The smallest Im z used on the grid.</summary>
        public double SmallestImaginaryPart { get; }

        /// <summary>True when every layer had a single non-zero D^2 atom, so the master equation was one rational equation.</summary>
        public bool IsRationalMasterEquation { get; }

        /// <summary>Kantorovich basin tests run (cost indicator).</summary>
        public long Certifications { get; }

        public SpectrumOptions Options { get; }

        /// <summary>log10(q90 / q10) of the non-zero part.</summary>
        public double Spread { get; }

        public SpectralRegime Regime { get; }

        /// <summary>Well conditioned: spread under the threshold (default one decade).</summary>
        public bool IsWellConditioned => Spread < Options.Regime.WellConditionedDecades;

        /// <summary>P(lambda &lt;= x) of the whole law (atom included).</summary>
        public double Cdf(double x)
        {
            if (x < 0) return 0;
            return AtomAtZero + (1 - AtomAtZero) * CdfNonZero(x);
        }

        /// <summary>CDF of the non-zero part, normalised to 1 (atoms away from zero included).</summary>
        public double CdfNonZero(double x)
        {
            if (IsPointMass) return x >= SupportUpper ? 1 : 0;
            if (x <= 0) return 0;
            if (x >= SupportUpper) return 1;
            double atoms = 0;
            foreach (var a in _atoms)
                if (a.Position <= x) atoms += a.Mass / NonZeroMassFromDensity;
            return Math.Min(1, ContinuousCdf(x) + atoms);
        }

        /// <summary>Mass of the continuous part below x, as a fraction of the non-zero part.</summary>
        private double ContinuousCdf(double x)
        {
            int n = _grid.Length;
            if (n == 0 || x <= 0) return 0;
            double continuous = 1 - _atomsFraction;
            if (x >= ContinuousUpper) return continuous;
            if (x <= _grid[0]) return SupportLower > 0 ? 0 : _cdfNonZero[0] * Math.Pow(x / _grid[0], TailExponent());
            for (int k = 1; k < n; k++)
            {
                if (x <= _grid[k])
                {
                    double t = Math.Log(x / _grid[k - 1]) / Math.Log(_grid[k] / _grid[k - 1]);
                    return _cdfNonZero[k - 1] + t * (_cdfNonZero[k] - _cdfNonZero[k - 1]);
                }
            }

            double last = _cdfNonZero[n - 1];
            return last + (continuous - last) * (x - _grid[n - 1]) / (ContinuousUpper - _grid[n - 1]);
        }

        /// <summary>Quantile of the whole law (0 for levels inside the atom at zero).</summary>
        public double Quantile(double level)
        {
            CheckLevel(level);
            if (level <= AtomAtZero) return 0;
            return QuantileNonZero((level - AtomAtZero) / (1 - AtomAtZero));
        }

        /// <summary>Quantile of the non-zero part (atoms away from zero included).</summary>
        public double QuantileNonZero(double level)
        {
            CheckLevel(level);
            if (IsPointMass) return SupportUpper;
            double atomsBelow = 0;
            foreach (var a in _atoms)
            {
                double before = ContinuousCdf(a.Position) + atomsBelow;
                if (level <= before) return ContinuousQuantile(level - atomsBelow);
                atomsBelow += a.Mass / NonZeroMassFromDensity;
                if (level <= before + a.Mass / NonZeroMassFromDensity) return a.Position;
            }

            return ContinuousQuantile(level - atomsBelow);
        }

        /// <summary>Inverse of <see cref="ContinuousCdf"/> at u (a fraction of the non-zero part).</summary>
        private double ContinuousQuantile(double level)
        {
            int n = _grid.Length;
            if (n == 0) return SupportUpper;
            if (level <= _cdfNonZero[0])
            {
                if (SupportLower > 0)
                {
                    double t0 = Math.Max(0, level) / _cdfNonZero[0];
                    return SupportLower + t0 * (_grid[0] - SupportLower);
                }

                double beta = TailExponent();
                return level <= 0 ? 0 : _grid[0] * Math.Pow(level / _cdfNonZero[0], 1 / beta);
            }

            for (int k = 1; k < n; k++)
            {
                if (level <= _cdfNonZero[k])
                {
                    double t = (level - _cdfNonZero[k - 1]) / (_cdfNonZero[k] - _cdfNonZero[k - 1]);
                    return _grid[k - 1] * Math.Pow(_grid[k] / _grid[k - 1], t);
                }
            }

            double last = _cdfNonZero[n - 1];
            double continuous = 1 - _atomsFraction;
            double s = last >= continuous ? 1 : Math.Min(1, (level - last) / (continuous - last));
            return _grid[n - 1] + s * (ContinuousUpper - _grid[n - 1]);
        }

        /// <summary>Quantiles of the whole law at the default levels (deciles), keyed by level.</summary>
        public IReadOnlyDictionary<double, double> Quantiles() => Map(Options.QuantileLevels, Quantile);

        /// <summary>Quantiles of the non-zero part at the default levels.</summary>
        public IReadOnlyDictionary<double, double> QuantilesNonZero() => Map(Options.QuantileLevels, QuantileNonZero);

        private static IReadOnlyDictionary<double, double> Map(double[] levels, Func<double, double> f)
        {
            var d = new SortedDictionary<double, double>();
            foreach (var level in levels) d[level] = f(level);
            return d;
        }

        private double TailExponent()
        {
            // CDF ~ x^beta below the grid; beta from the mass density per log-unit at the first point.
            if (_grid.Length < 2 || _cdfNonZero[0] <= 0) return 1;
            double perLog = _density[0] * _grid[0] / NonZeroMassFromDensity;
            double beta = perLog / _cdfNonZero[0];
            return beta > 0 ? beta : 1;
        }

        private static void CheckLevel(double level)
        {
            if (!(level >= 0 && level <= 1))
                throw new ArgumentOutOfRangeException(nameof(level), $"quantile level must be in [0, 1], got {level}.");
        }
    }
}
