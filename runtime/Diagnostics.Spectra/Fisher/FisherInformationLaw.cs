using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// The large-width law of the eigenvalues of the dual conditional Fisher information H_L = (1/M) J_theta J_theta^T
    /// (M x M, M = output width) of a network with a linear last layer: atoms, density of the continuous part on a grid,
    /// exact mean, lambda_max, quantiles and the largest stable SGD learning rate.
    /// </summary>
    /// <remarks>
    /// Hayase and Karakida (2021), eq. 15 (layer recursion) and eq. 32 (mean). The non-zero eigenvalues of the
    /// conditional FIM I(theta|x) = J^T J are M times those of H_L. Accuracy measured by the tests: see docs/engine/fisher.md.
    /// </remarks>
    public sealed class FisherInformationLaw
    {
        private readonly double[] _grid;
        private readonly double[] _density;
        private readonly double[] _cells;
        private readonly double[] _cellMass;
        private readonly SpectralAtom[] _atoms;

        internal FisherInformationLaw(NetworkArchitecture network, SignalPropagationResult propagation, double[] levelMeans, double lowerBound,
            double lambdaMax, SpectralAtom[] atoms, double[] grid, double[] density, double[] cells, double[] cellMass, FisherOptions options, double eta)
        {
            Network = network;
            Propagation = propagation;
            LayerMeans = levelMeans;
            Mean = levelMeans[levelMeans.Length - 1];
            LowerBound = lowerBound;
            LambdaMax = lambdaMax;
            _atoms = atoms;
            _grid = grid;
            _density = density;
            _cells = cells;
            _cellMass = cellMass;
            Options = options;
            ImaginaryPart = eta;
            double mass = 0, first = 0;
            for (int k = 0; k < cellMass.Length; k++)
            {
                mass += cellMass[k];
                first += cellMass[k] * grid[k];
            }

            ContinuousMassFromDensity = mass;
            double atomMass = 0, atomFirst = 0;
            foreach (var a in atoms)
            {
                atomMass += a.Mass;
                atomFirst += a.Mass * a.Position;
            }

            AtomMass = atomMass;
            DensityMean = first + atomFirst;
            double lower = double.PositiveInfinity;
            foreach (var a in atoms) lower = Math.Min(lower, a.Position);
            double peak = 0;
            foreach (var d in density) peak = Math.Max(peak, d);
            for (int k = 0; k < density.Length; k++)
            {
                if (density[k] > 1e-6 * peak)
                {
                    lower = Math.Min(lower, cells[k]);
                    break;
                }
            }

            SupportLower = double.IsInfinity(lower) ? lambdaMax : lower;
        }

        public NetworkArchitecture Network { get; }

        /// <summary>Mean-field quantities (q_l, chi_l) of the network.</summary>
        public SignalPropagationResult Propagation { get; }

        /// <summary>Exact means of K_1..K_L (K_L = H_L) from the recursion m1(K_{l+1}) = c1 + c2 r E[nu_l] E[pi_{l+1}] m1(K_l) (eq. 32).</summary>
        public IReadOnlyList<double> LayerMeans { get; }

        /// <summary>Exact mean eigenvalue of H_L (eq. 32 recursion): tr(H_L)/M in the limit.</summary>
        public double Mean { get; }

        /// <summary>Hard lower bound of the spectrum: H_L &gt;= (N_{L-1}/M) qhat_{L-1} I.</summary>
        public double LowerBound { get; }

        /// <summary>Largest point of the support (upper edge of the continuous part, or the top atom).</summary>
        public double LambdaMax { get; }

        /// <summary>Lowest point of the support: the lowest atom, or the first grid cell with density above 1e-6 of the peak (grid resolution).</summary>
        public double SupportLower { get; }

        /// <summary>Upper end of the support (= <see cref="LambdaMax"/>).</summary>
        public double SupportUpper => LambdaMax;

        /// <summary>Point masses (position ascending). Atoms of smooth-activation D^2 discretisations are not listed (their true law is continuous).</summary>
        public IReadOnlyList<SpectralAtom> Atoms => _atoms;

        /// <summary>Total mass of the atoms.</summary>
        public double AtomMass { get; }

        /// <summary>Density grid (Chebyshev points of [LowerBound, LambdaMax]).</summary>
        public IReadOnlyList<double> Grid => _grid;

        /// <summary>Density of the continuous part at <see cref="Grid"/>.</summary>
        public IReadOnlyList<double> Density => _density;

        /// <summary>Mass of the continuous part integrated from the density (Fejer's rule on the Chebyshev grid).</summary>
        public double ContinuousMassFromDensity { get; }

        /// <summary>Atoms plus integrated density: 1 up to discretisation error.</summary>
        public double TotalMass => AtomMass + ContinuousMassFromDensity;

        /// <summary>Mean from the atoms and the integrated density (compare with the exact <see cref="Mean"/>).</summary>
        public double DensityMean { get; }

        /// <summary>Grid points (coarse pass and edge bisection included) whose continuation stalled above 10 y; their density is 0.</summary>
        public int StalledPoints { get; internal set; }

        /// <summary>
        /// True when the density was solved by certified Newton steps (Kantorovich basin test with a rigorous bound on |z_L''|:
        /// chains whose D^2 laws all have a single non-zero atom), except the <see cref="UncertifiedPoints"/> whose certified
        /// descent stalled next to an edge; false for the checked continuation of smooth layers.
        /// </summary>
        public bool DensityCertified { get; internal set; }

        /// <summary>
        /// Grid points whose certified descent stalled next to an edge of the support and that were finished by the checked
        /// continuation (all of them on the checked path for smooth layers).
        /// </summary>
        public int UncertifiedPoints { get; internal set; }

        /// <summary>The same count for the evaluations of the lower-edge search (coarse pass and bisection); -1 on the checked path.</summary>
        public int EdgeSearchUncertifiedPoints { get; internal set; }

        /// <summary>Kantorovich basin tests run for the density (0 on the checked path).</summary>
        public long BasinTests { get; internal set; }

        /// <summary>Im z used for the density (the largest one where a descent stopped early, if any).</summary>
        public double ImaginaryPart { get; }

        public FisherOptions Options { get; }

        /// <summary>The largest learning rate for which SGD on the given loss is stable near initialisation (sample-wise curvature).</summary>
        /// <remarks>
        /// Gradient descent on a quadratic with Hessian eigenvalue h is stable iff eta &lt; 2/h. At zero residual the Hessian of
        /// l = (1/(2M))|y - f|^2 is the Gauss-Newton matrix (1/M) J^T J, whose non-zero eigenvalues are those of H_L:
        /// eta &lt; 2/lambda_max(H_L) (Hayase and Karakida 2021, Sec. 5; Karakida et al. 2019). A mini-batch average of B such
        /// matrices has lambda_max at most that of one sample, so the bound stays sufficient for any batch size.
        /// </remarks>
        public double MaxStableLearningRate(LossNormalisation loss = LossNormalisation.HalfMeanSquaredError) =>
            FisherSpectrum.MaxStableLearningRate(LambdaMax, Network.Widths[Network.Widths.Count - 1], loss);

        /// <summary>P(lambda &lt;= x).</summary>
        public double Cdf(double x)
        {
            double c = 0;
            foreach (var a in _atoms)
            {
                if (a.Position <= x) c += a.Mass;
            }

            for (int k = 0; k < _cellMass.Length; k++)
            {
                double lo = _cells[k], hi = _cells[k + 1];
                if (x >= hi) c += _cellMass[k];
                else if (x > lo) c += _cellMass[k] * (x - lo) / (hi - lo);
                else break;
            }

            return Math.Min(1, c);
        }

        /// <summary>Smallest x with P(lambda &lt;= x) &gt;= level (atoms and cells merged in order).</summary>
        public double Quantile(double level)
        {
            if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), "quantile level must lie in (0, 1).");
            double c = 0;
            int ai = 0;
            for (int k = 0; k < _cellMass.Length; k++)
            {
                double lo = _cells[k], hi = _cells[k + 1];
                while (ai < _atoms.Length && _atoms[ai].Position <= lo)
                {
                    c += _atoms[ai].Mass;
                    if (c >= level) return _atoms[ai].Position;
                    ai++;
                }

                if (c + _cellMass[k] >= level && _cellMass[k] > 0) return lo + (hi - lo) * (level - c) / _cellMass[k];
                c += _cellMass[k];
            }

            while (ai < _atoms.Length)
            {
                c += _atoms[ai].Mass;
                if (c >= level) return _atoms[ai].Position;
                ai++;
            }

            return LambdaMax;
        }

        /// <summary>Quantiles at <see cref="FisherOptions.QuantileLevels"/> (deciles by default), keyed by level.</summary>
        public IReadOnlyDictionary<double, double> Quantiles()
        {
            var d = new SortedDictionary<double, double>();
            foreach (var level in Options.QuantileLevels) d[level] = Quantile(level);
            return d;
        }
    }
}
