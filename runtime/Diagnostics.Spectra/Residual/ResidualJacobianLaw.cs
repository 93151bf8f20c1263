using System;
using System.Collections.Generic;
using System.Numerics;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Residual
{
    /// <summary>
    /// The universal large-depth law of the eigenvalues of J^T J (N x N) of a residual network at initialisation:
    /// density on a grid over its support, closed-form mean, moments and edges, CDF, quantiles and the regime summary,
    /// with the semantics of <see cref="SquaredSingularValueLaw"/> (here the atom at zero is always 0).
    /// </summary>
    public sealed class ResidualJacobianLaw
    {
        private readonly double[] _grid;
        private readonly double[] _density;
        private readonly double[] _cdf; // normalised CDF at the grid points
        private readonly ResidualMasterEquation _equation;
        private readonly AnalyticLilypads _solver;

        internal ResidualJacobianLaw(
            ResidualArchitecture network,
            ResidualPropagationResult propagation,
            ResidualMasterEquation equation,
            double scale,
            double[] moments,
            double lower,
            double upper,
            double[] grid,
            double[] density,
            double[] cdf,
            double mass,
            double densityMean,
            string etaDescription,
            double smallestImaginaryPart,
            long certifications,
            SpectrumOptions options,
            AnalyticLilypads solver)
        {
            Network = network;
            Propagation = propagation;
            _equation = equation;
            _solver = solver;
            Scale = scale;
            Moments = moments;
            Mean = moments[0];
            SupportLower = lower;
            SupportUpper = upper;
            _grid = grid;
            _density = density;
            _cdf = cdf;
            NonZeroMassFromDensity = mass;
            DensityMean = densityMean;
            EtaDescription = etaDescription;
            SmallestImaginaryPart = smallestImaginaryPart;
            Certifications = certifications;
            Options = options;
            var q10 = QuantileNonZero(0.1);
            var q90 = QuantileNonZero(0.9);
            Spread = q10 > 0 ? Math.Log10(q90 / q10) : double.PositiveInfinity;
            Regime = q90 < options.Regime.Vanishing ? SpectralRegime.Vanishing
                : q90 > options.Regime.Exploding ? SpectralRegime.Exploding
                : SpectralRegime.Critical;
        }

        public ResidualArchitecture Network { get; }

        /// <summary>q^l, p^l, mu^l, c_2^l per block and the effective cumulant.</summary>
        public ResidualPropagationResult Propagation { get; }

        /// <summary>c = (1/L) sum_l c_2^l.</summary>
        public double EffectiveCumulant => Propagation.EffectiveCumulant;

        /// <summary>kappa = c / a^2, the single shape parameter of the normalised law.</summary>
        public double Kappa => _equation.Kappa;

        /// <summary>a^{2L}: the law of J^T J is a^{2L} times a law that depends on kappa only.</summary>
        public double Scale { get; }

        /// <summary>No atom at zero: the support's lower edge is positive for every a &gt; 0.</summary>
        public double AtomAtZero => 0;

        /// <summary>Same as <see cref="AtomAtZero"/> (J is square).</summary>
        public double AtomAtZeroOutput => 0;

        /// <summary>Mean eigenvalue of the large-L law, a^{2L} exp(c / a^2) (closed form).</summary>
        public double Mean { get; }

        /// <summary>Exact infinite-width mean at this finite depth, prod_l (a^2 + c_2^l / L); tends to <see cref="Mean"/> as L grows.</summary>
        public double FiniteDepthMean => Propagation.FiniteDepthMean;

        /// <summary>Moments m_1..m_K of the large-L law (closed form by Lagrange inversion, see <see cref="ResidualMasterEquation.Moment"/>).</summary>
        public IReadOnlyList<double> Moments { get; }

        /// <summary>Lower edge of the support (closed form, &gt; 0).</summary>
        public double SupportLower { get; }

        /// <summary>Upper edge of the support (closed form): the limiting largest squared singular value.</summary>
        public double SupportUpper { get; }

        /// <summary>True when the support is a single point to double precision (kappa below about 1e-19).</summary>
        public bool IsPointMass => _grid.Length == 0;

        /// <summary>Grid of eigenvalues (ascending) over the support.</summary>
        public IReadOnlyList<double> Grid => _grid;

        /// <summary>Density at the grid points.</summary>
        public IReadOnlyList<double> Density => _density;

        /// <summary>No hard edge at zero: always 0.</summary>
        public double TailMassBelowGrid => 0;

        /// <summary>Integral of the density (midpoint rule on the grid): 1 up to quadrature error.</summary>
        public double NonZeroMassFromDensity { get; }

        /// <summary>Total mass: 1 up to quadrature error.</summary>
        public double TotalMass => NonZeroMassFromDensity;

        /// <summary>Mean computed by integrating the density (checks the grid against <see cref="Mean"/>).</summary>
        public double DensityMean { get; }

        /// <summary>How Im z was chosen for the density ("y = 1e-07 min(x, support width)" in the normalised variable, or an absolute value).</summary>
        public string EtaDescription { get; }

        /// <summary>The smallest Im z used on the grid.</summary>
        public double SmallestImaginaryPart { get; }

        /// <summary>Kantorovich basin tests run (cost indicator).</summary>
        public long Certifications { get; }

        public SpectrumOptions Options { get; }

        /// <summary>log10(q90 / q10).</summary>
        public double Spread { get; }

        public SpectralRegime Regime { get; }

        /// <summary>Well conditioned: spread under the threshold (default one decade).</summary>
        public bool IsWellConditioned => Spread < Options.Regime.WellConditionedDecades;

        /// <summary>
        /// The Stieltjes transform G(z) = int mu(dt) / (z - t) of the law at z in the upper half plane (certified lilypad
        /// solve of eq. 25 from a fresh proxy).
        /// </summary>
        public Complex StieltjesTransform(Complex z)
        {
            Complex zeta = z / Scale;
            Complex m = _solver.SolveFromProxy(zeta);
            return (1 + m) / zeta / Scale;
        }

        /// <summary>P(lambda &lt;= x).</summary>
        public double Cdf(double x) => CdfNonZero(x);

        /// <summary>Same as <see cref="Cdf"/> (there is no atom at zero).</summary>
        public double CdfNonZero(double x)
        {
            if (IsPointMass) return x >= SupportUpper ? 1 : 0;
            if (x <= SupportLower) return 0;
            if (x >= SupportUpper) return 1;
            int n = _grid.Length;
            if (x <= _grid[0]) return _cdf[0] * (x - SupportLower) / (_grid[0] - SupportLower);
            for (int k = 1; k < n; k++)
            {
                if (x <= _grid[k])
                {
                    double t = Math.Log(x / _grid[k - 1]) / Math.Log(_grid[k] / _grid[k - 1]);
                    return _cdf[k - 1] + t * (_cdf[k] - _cdf[k - 1]);
                }
            }

            double last = _cdf[n - 1];
            return last + (1 - last) * (x - _grid[n - 1]) / (SupportUpper - _grid[n - 1]);
        }

        /// <summary>Quantile of the law.</summary>
        public double Quantile(double level) => QuantileNonZero(level);

        /// <summary>Same as <see cref="Quantile"/> (there is no atom at zero).</summary>
        public double QuantileNonZero(double level)
        {
            if (!(level >= 0 && level <= 1))
                throw new ArgumentOutOfRangeException(nameof(level), $"quantile level must be in [0, 1], got {level}.");
            if (IsPointMass) return SupportUpper;
            int n = _grid.Length;
            if (level <= _cdf[0]) return SupportLower + level / _cdf[0] * (_grid[0] - SupportLower);
            for (int k = 1; k < n; k++)
            {
                if (level <= _cdf[k])
                {
                    double t = (level - _cdf[k - 1]) / (_cdf[k] - _cdf[k - 1]);
                    return _grid[k - 1] * Math.Pow(_grid[k] / _grid[k - 1], t);
                }
            }

            double last = _cdf[n - 1];
            double s = last >= 1 ? 1 : (level - last) / (1 - last);
            return _grid[n - 1] + s * (SupportUpper - _grid[n - 1]);
        }

        /// <summary>Quantiles at the default levels (deciles), keyed by level.</summary>
        public IReadOnlyDictionary<double, double> Quantiles() => Map(Quantile);

        /// <summary>Same as <see cref="Quantiles"/> (no atom at zero).</summary>
        public IReadOnlyDictionary<double, double> QuantilesNonZero() => Map(QuantileNonZero);

        private IReadOnlyDictionary<double, double> Map(Func<double, double> f)
        {
            var d = new SortedDictionary<double, double>();
            foreach (var level in Options.QuantileLevels) d[level] = f(level);
            return d;
        }
    }
}
