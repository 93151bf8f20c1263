using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.MeanField;
using Diagnostics.Spectra.Transforms;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// Computes the limiting law of the squared singular values of the input-output Jacobian
    /// J = D_L W_L ... D_1 W_1 of a fully connected network at initialisation.
    /// </summary>
    /// <remarks>
    /// Pennington, Schoenholz and Ganguli (2017, 2018) for the S-transform product; Chhaibi, Daouda and Kahn (2022)
    /// for rectangular widths and the Newton-lilypad inversion. The density is -Im G(x + iy) / pi with G obtained from
    /// the certified solution of the master equation (see <see cref="MasterEquation"/>); the atom at zero comes from
    /// the ranks; moments from the series of the master equation. Measured accuracy is listed in docs/engine.
    /// </remarks>
    public static class JacobianSpectrum
    {
        /// <summary>Computes the law; throws a <see cref="SpectralException"/> subtype on bad input or failure.</summary>
        public static SquaredSingularValueLaw Compute(NetworkArchitecture network, SpectrumOptions? options = null)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            options ??= new SpectrumOptions();
            CheckOptions(options);
            var propagation = SignalPropagation.Compute(network);
            var laws = new DerivativeLaw[network.Depth];
            for (int l = 0; l < network.Depth; l++)
                laws[l] = DerivativeLaw.For(network.Layers[l].Activation, propagation.Q[l], options.NodesFor(network.Layers[l].Activation));
            return Compute(network, propagation, laws, options);
        }

        /// <summary>Like <see cref="Compute(NetworkArchitecture, SpectrumOptions)"/> but returns false with the error message instead of throwing.</summary>
        public static bool TryCompute(NetworkArchitecture network, out SquaredSingularValueLaw? law, out string? error, SpectrumOptions? options = null)
        {
            try
            {
                law = Compute(network, options);
                error = null;
                return true;
            }
            catch (SpectralException ex)
            {
                law = null;
                error = ex.Message;
                return false;
            }
        }

        internal static SquaredSingularValueLaw Compute(NetworkArchitecture network, SignalPropagationResult propagation, IReadOnlyList<DerivativeLaw> laws, SpectrumOptions options)
        {
            // Nearly point-mass D^2 laws (saturation-free units at a small q*) pooled into one two-atom law per width ratio:
            // the master equation loses their unknowns and keeps the moments of J^T J up to order 3.
            // Then, in the laws of Gaussian layers, runs of close atoms replaced by their Gauss rules (off by default; the analyzer uses it).
            var factors = ConcentratedDerivativeLaws.Pool(network, laws, options.ConcentratedLawVariance);
            factors = ReducedDerivativeLaws.Reduce(network, factors, options.AtomReductionVariance, Math.Max(options.LayerGroupingTolerance, 1e-12));
            var equation = MasterEquation.Create(network, factors, options.LayerGroupingTolerance);
            double mean = equation.Mean;
            if (!(mean > 0) || double.IsInfinity(mean))
                throw new SpectralConvergenceException(
                    $"the mean squared singular value {Format(mean)} is outside the range of double precision (depth {network.Depth}); the network is beyond vanishing/exploding.");
            double atom = 1 - equation.RankFraction;
            var normalised = MomentSeries.NormalisedMoments(equation, options.MomentOrder);
            var moments = new double[normalised.Length];
            for (int k = 0; k < moments.Length; k++) moments[k] = normalised[k] * Math.Pow(mean, k + 1);

            // One smooth orthogonal layer followed by rescalings only: the law is that layer's D^2 law itself, computed
            // exactly (the master equation of its K-atom discretisation would be K atoms).
            if (PushForwardLaw.Applies(network, laws)) return PushForwardLaw.Compute(network, propagation, laws, options, moments, mean);

            // A point mass at the top (rational case, e.g. orthogonal hard tanh when sum_l p_l > L - 1): the continuous
            // part ends at the first critical point of the real branch below it and carries the rest of the mass.
            double topMass = equation.TopAtom(out double topPosition);
            var sampler = new DensitySampler(equation, options, mean);
            if (!equation.IsRational)
            {
                // Atoms away from zero (orthogonal weights throughout, leaky ReLU): exact from the factors' atoms.
                var atoms = NonZeroAtoms.Of(network, laws);
                if (atoms.Count > 0) return WithAtoms(network, propagation, laws, options, equation, sampler, atom, mean, moments, atoms);
            }
            if (topMass >= equation.RankFraction * (1 - 1e-9))
            {
                return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, topPosition * mean, topPosition * mean,
                    Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>(), 0, equation.RankFraction, equation.RankFraction * topPosition * mean,
                    sampler.Description, 0, equation.IsRational, 0, options, topPosition * mean, equation.RankFraction);
            }

            double upper = topMass > 0 ? SupportEdges.UpperBelowTopAtom(equation, topPosition) : SupportEdges.Upper(equation);
            double lower = SupportEdges.Lower(equation);
            if (lower > upper) lower = upper;
            if (topMass == 0 && upper - lower <= 1e-9 * upper)
            {
                return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, lower * mean, upper * mean,
                    Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>(), 0, equation.RankFraction, mean,
                    sampler.Description, 0, equation.IsRational, 0, options);
            }

            double continuousMass = equation.RankFraction - topMass;
            // The mass check needs a density close to the axis: with an absolute Im z (e.g. y = 1e-4, the FreeNN
            // benchmark's convention) the Poisson smearing itself moves more than the tolerance outside the support.
            bool checkMass = !options.AbsoluteEta.HasValue;

            int n = options.GridPoints;
            var grid = new double[n];
            var weight = new double[n]; // dx/dt at the midpoint nodes, over n
            var density = new double[n];
            double tail = 0, mass = 0, first = 0;
            if (lower > 0)
            {
                ClusteredGrid(lower, upper, grid, weight);

                sampler.Sample(grid, density);
                Integrate(grid, weight, density, 0, out mass, out first);
                if (checkMass && continuousMass - mass > MissingMassTolerance * continuousMass)
                {
                    // Mass missing below the lower edge: the support has another component nearer zero (several
                    // near-equal rank bottlenecks). Cover everything from zero with the hard-edge grid instead.
                    lower = 0;
                }
            }

            if (lower == 0)
            {
                // Hard edge at zero: a log grid down to the point where the power-law tail below is negligible. The
                // probes can stop above a separate cluster of tiny eigenvalues (discretised smooth D^2 laws have small
                // isolated atoms near the zeros of phi'), so the integrated mass is checked against the exact rank
                // and the grid extended downwards, doubling its span in decades, while mass is missing.
                double low = sampler.FindLowerCutoff(upper, LowestGridPoint, out tail);
                for (int extension = 0; ; extension++)
                {
                    LogGrid(low, upper, grid, weight);
                    sampler.Sample(grid, density);
                    // The mass below an extended grid is extrapolated from that grid's own lowest points: extrapolating
                    // from the previous grid across the new one counts a cluster of tiny eigenvalues twice (seed 102186).
                    if (extension > 0) tail = TailBelow(grid, density, low);
                    Integrate(grid, weight, density, tail, out mass, out first);
                    double missing = continuousMass - mass;
                    // Unresolved: mass is missing, or the extrapolated tail below the grid is itself above the tail
                    // tolerance (a flat x rho(x) at the bottom: the power law cannot be trusted across many decades).
                    bool unresolved = missing > MissingMassTolerance * continuousMass || tail > options.TailMass;
                    if (!checkMass || !unresolved || low <= LowestGridPoint || extension == MaxGridExtensions)
                        break;
                    double lower2 = Math.Max(LowestGridPoint, low * (low / upper));
                    try
                    {
                        // Solve at the new bottom from a fresh proxy, then chain the new grid from there.
                        sampler.At(lower2, chain: false);
                    }
                    catch (SpectralConvergenceException)
                    {
                        break;
                    }

                    low = lower2;
                }
            }

            // A density that misses the exact non-zero mass is not returned as if it were the law: by more than 1% when Im z
            // was raised at some points (the certified walk could not get closer to the axis: smearing), by more than 5%
            // otherwise (a walk on a wrong root: seed 106869 lost all of it before the common factors of A and B were
            // cancelled; discretisation and quadrature alone reach 1.3% on small non-zero parts, e.g. seed 105122, orthogonal
            // SELU with a width-9 bottleneck: 0.01545 for 0.01525).
            double allowed = (sampler.RaisedPoints > 0 ? UnresolvedMassTolerance : WrongRootMassTolerance) * continuousMass;
            if (checkMass && Math.Abs(continuousMass - mass) > allowed)
                throw new DensityResolutionException(sampler.RaisedPoints > 0
                    ? $"the density could not be resolved: Im z had to be raised at {sampler.RaisedPoints} of {sampler.SampledPoints} points and the result integrates to {Format(mass)} instead of {Format(continuousMass)}."
                    : $"the density could not be resolved: it integrates to {Format(mass)} instead of the exact non-zero mass {Format(continuousMass)} (support [{Format(lower * mean)}, {Format(upper * mean)}], {n} points).");

            // CDF of the non-zero part (top atom included) at the nodes.
            double nonZero = mass + topMass;
            var cdf = CdfAndScale(grid, weight, density, tail, nonZero, mean);

            double top = topMass > 0 ? topPosition : upper;
            bool discretised = false;
            foreach (var law in laws) discretised |= !law.IsExact;
            int bumps = discretised ? DeepDips(density, cdf) : 0;
            return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, lower * mean, top * mean,
                grid, density, cdf, tail, nonZero, (first + topMass * top) * mean, sampler.Description, sampler.SmallestImaginaryPart * mean,
                equation.IsRational, sampler.Certifications, options, upper * mean, topMass) { DiscretisationBumps = bumps >= MinimumBumps ? bumps : 0 };
        }

        /// <summary>
        /// A law with atoms away from zero (<see cref="NonZeroAtoms"/>): the atoms are exact; the continuous part, if any, is
        /// the density of G minus the atoms' poles sum_a w_a / (zeta - a), on a grid between the edges that avoids the atoms'
        /// neighbourhoods (midpoint rule, no clustering at the ends), checked against the exact continuous mass.
        /// </summary>
        private static SquaredSingularValueLaw WithAtoms(NetworkArchitecture network, SignalPropagationResult propagation, IReadOnlyList<DerivativeLaw> laws,
            SpectrumOptions options, MasterEquation equation, DensitySampler sampler, double atom, double mean, double[] moments, List<SpectralAtom> atoms)
        {
            double atomMass = 0, atomFirst = 0;
            var normalised = new SpectralAtom[atoms.Count];
            for (int i = 0; i < atoms.Count; i++)
            {
                atomMass += atoms[i].Mass;
                atomFirst += atoms[i].Mass * atoms[i].Position;
                normalised[i] = new SpectralAtom(atoms[i].Position / mean, atoms[i].Mass);
            }

            double lowest = atoms[0].Position, highest = atoms[atoms.Count - 1].Position;
            double continuousMass = equation.RankFraction - atomMass;
            if (continuousMass <= 1e-9 * equation.RankFraction)
            {
                // No continuous part: e.g. square orthogonal layers around one leaky-ReLU layer (J^T J ~ W^T D^2 W).
                return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, lowest, highest,
                    Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>(), 0, atomMass, atomFirst,
                    sampler.Description, 0, false, 0, options, highest, atoms[atoms.Count - 1].Mass, atoms);
            }

            // The edges of the continuous part: the real-branch scans where they find one, else the atoms themselves (next
            // to an atom the branch runs off to infinity instead of turning at a critical point).
            double top = normalised[normalised.Length - 1].Position, bottom = normalised[0].Position;
            double upper = Math.Max(SupportEdges.Upper(equation), top);
            double lowerEdge = SupportEdges.Lower(equation);
            double lower = lowerEdge > 0 ? Math.Min(lowerEdge, bottom) : bottom;
            sampler.SubtractPoles(normalised);

            // Locate the continuous part: a coarse scan between the outer atoms, then bisection of each edge between the
            // scan points around it, where the density crosses 1e-4 of its coarse maximum (beyond a square-root edge the
            // Poisson smearing of Im z = 1e-7 x stays above 1e-6 of the peak for a few percent of the edge).
            // The scan keeps AtomClearance (relative) away from an atom at either end: next to a pole the certified walk
            // needs 1e4-1e5 basin tests per point and then fails (seed 107124 at 1e-4 of its top atom), while the
            // continuous edges of these laws usually sit further in (free compression by t: 1/2 - sqrt(t (1 - t)) of the
            // atom's value); when mass is then missing, the scan is redone with a hundred times less clearance.
            // (Upper() returns the top atom itself to within round-off when the branch runs off to infinity there.)
            bool atomAtLow = bottom <= lower * (1 + 1e-6), atomAtHigh = top >= upper * (1 - 1e-6);
            int n = options.GridPoints;
            var grid = new double[n];
            var weight = new double[n];
            var density = new double[n];
            double mass = 0, firstMoment = 0, edgeHigh = upper;
            bool checkMass = !options.AbsoluteEta.HasValue;
            for (int attempt = 0; ; attempt++)
            {
                double clearance = attempt == 0 ? AtomClearance : AtomClearance / 100;
                double scanLow = atomAtLow ? bottom * (1 + clearance) : lower;
                double scanHigh = atomAtHigh ? top * (1 - clearance) : upper;
                int coarse = Math.Max(64, options.GridPoints / 4);
                var scan = new double[coarse];
                var scanDensity = new double[coarse];
                bool logScan = scanHigh / scanLow > 2;
                for (int k = 0; k < coarse; k++)
                {
                    double t = k / (coarse - 1.0);
                    scan[k] = logScan ? scanLow * Math.Exp(Math.Log(scanHigh / scanLow) * t) : scanLow + (scanHigh - scanLow) * t;
                }

                // Each scan point from its own proxy (a vertical walk from high Im z): chaining across the scan's large
                // steps next to a pole can land on another root (seed 107124: a spurious density 1e-3 below the top
                // atom). A point where Im z had to be raised carries the Poisson smearing of that larger Im z (next to an
                // atom: 1e-4 of the peak at 1e-3 of the atom): it is not taken as evidence of a continuous part there.
                for (int k = 0; k < coarse; k++)
                {
                    scanDensity[k] = sampler.At(scan[k], chain: false);
                    if (sampler.LastRaise > 1) scanDensity[k] = 0;
                }

                double peak = 0;
                for (int k = 0; k < coarse; k++) peak = Math.Max(peak, scanDensity[k]);
                double threshold = 1e-4 * peak;
                int first = Array.FindIndex(scanDensity, d => d > threshold), last = Array.FindLastIndex(scanDensity, d => d > threshold);
                if (first < 0)
                    throw new SpectralConvergenceException(
                        $"the continuous part between the atoms away from zero ({string.Join(", ", atoms)}) was not found: no density above round-off on {coarse} points.");
                double edgeLow = first == 0 ? scanLow : Bisect(sampler, scan[first - 1], scan[first], threshold, rising: true);
                edgeHigh = last == coarse - 1 ? scanHigh : Bisect(sampler, scan[last], scan[last + 1], threshold, rising: false);

                ClusteredGrid(edgeLow, edgeHigh, grid, weight);
                int raisedBefore = sampler.RaisedPoints;
                sampler.Sample(grid, density);
                Integrate(grid, weight, density, 0, out mass, out firstMoment);
                int raised = sampler.RaisedPoints - raisedBefore;
                bool resolved = Math.Abs(continuousMass - mass) <= (raised > 0 ? UnresolvedMassTolerance : AtomsMassTolerance) * continuousMass;
                if (!checkMass || resolved) break;
                if (attempt == 1)
                    throw new SpectralConvergenceException(
                        $"the continuous part between the atoms away from zero ({string.Join(", ", atoms)}) could not be resolved: it integrates to {Format(mass)} instead of {Format(continuousMass)}"
                        + (raised > 0 ? $" (Im z raised at {raised} of {n} points)." : "."));
            }

            double nonZero = mass + atomMass;
            var cdf = CdfAndScale(grid, weight, density, 0, nonZero, mean);

            double topAtom = atomAtHigh ? atoms[atoms.Count - 1].Mass : 0;
            return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, Math.Min(bottom, grid[0]) * mean, Math.Max(top, edgeHigh) * mean,
                grid, density, cdf, 0, nonZero, firstMoment * mean + atomFirst, sampler.Description, sampler.SmallestImaginaryPart * mean,
                false, sampler.Certifications, options, edgeHigh * mean, topAtom, atoms);
        }

        /// <summary>Bisection (in log x) for where the continuous density crosses <paramref name="threshold"/> between a and b.</summary>
        private static double Bisect(DensitySampler sampler, double a, double b, double threshold, bool rising)
        {
            // rising: density below the threshold at a, above at b (a lower edge); else above at a, below at b.
            for (int k = 0; k < 40 && b > a * (1 + 1e-9); k++)
            {
                double mid = Math.Sqrt(a * b);
                bool above = sampler.At(mid, chain: false) > threshold;
                if (above == rising) b = mid;
                else a = mid;
            }

            return rising ? a : b;
        }

        /// <summary>
        /// The continuous part's CDF at the nodes (midpoint rule from the tail below the grid, as a fraction of the
        /// non-zero mass), then grid and density taken from the normalised axis (x / mean) back to eigenvalues.
        /// </summary>
        private static double[] CdfAndScale(double[] grid, double[] weight, double[] density, double tail, double nonZero, double mean)
        {
            int n = grid.Length;
            var cdf = new double[n];
            double running = tail;
            for (int k = 0; k < n; k++)
            {
                double cell = density[k] * weight[k];
                cdf[k] = (running + cell / 2) / nonZero;
                running += cell;
                grid[k] *= mean;
                density[k] /= mean;
            }

            return cdf;
        }

        /// <summary>Relative distance from an atom at an end of the support within which the continuous part is not sampled.</summary>
        private const double AtomClearance = 1e-3;

        /// <summary>Relative error of the continuous mass accepted between atoms away from zero (midpoint rule across square-root edges).</summary>
        private const double AtomsMassTolerance = 2e-3;

        /// <summary>Deep dips from which a density counts as showing the bumps of a discretised D^2 law (one real gap is one dip).</summary>
        private const int MinimumBumps = 3;

        /// <summary>
        /// Local minima of the density below 1e-3 of the highest density on each side, within the bulk (CDF between 1e-3
        /// and 1 - 1e-3: far down a hard-edge grid the density is round-off on a negligible mass): a smooth law behind a
        /// strong bottleneck is close to the law of one discretised D^2 (K atoms), and its density comes out as bumps.
        /// </summary>
        private static int DeepDips(double[] density, double[] cdf)
        {
            int n = density.Length, dips = 0;
            int from = Array.FindIndex(cdf, c => c >= 1e-3), to = Array.FindLastIndex(cdf, c => c <= cdf[n - 1] - 1e-3);
            if (from < 0 || to <= from + 2) return 0;
            var bulk = new double[to - from + 1];
            Array.Copy(density, from, bulk, 0, bulk.Length);
            density = bulk;
            n = density.Length;
            var leftMax = new double[n];
            var rightMax = new double[n];
            for (int k = 1; k < n; k++) leftMax[k] = Math.Max(leftMax[k - 1], density[k - 1]);
            for (int k = n - 2; k >= 0; k--) rightMax[k] = Math.Max(rightMax[k + 1], density[k + 1]);
            for (int k = 1; k < n - 1; k++)
            {
                if (density[k] < density[k - 1] && density[k] <= density[k + 1] && density[k] < 1e-3 * Math.Min(leftMax[k], rightMax[k]))
                    dips++;
            }

            return dips;
        }

        /// <summary>Largest relative error of the non-zero mass accepted from a density (the atoms path asks 2e-3 unless Im z was raised).</summary>
        private const double UnresolvedMassTolerance = 1e-2;

        /// <summary>Largest relative error of the non-zero mass accepted from a density computed at the requested Im z.</summary>
        private const double WrongRootMassTolerance = 5e-2;

        /// <summary>Lowest grid point tried for a hard edge at zero (normalised axis).</summary>
        private const double LowestGridPoint = 1e-290;

        /// <summary>Missing fraction of the exact non-zero mass that makes the grid extend downwards.</summary>
        private const double MissingMassTolerance = 1e-3;

        /// <summary>Downward extensions of the grid (each doubles its span in decades).</summary>
        private const int MaxGridExtensions = 6;

        /// <summary>
        /// A grid between two soft edges, clustered at both (cosine spacing of the midpoints, in log x when the edges are
        /// more than a factor 2 apart), with the quadrature weights dx/dt / n.
        /// </summary>
        private static void ClusteredGrid(double lower, double upper, double[] grid, double[] weight) =>
            ClusteredGrid(lower, upper, grid, weight, 0, grid.Length);

        /// <summary>
        /// <see cref="ClusteredGrid(double, double, double[], double[])"/> on each piece between consecutive breaks, the
        /// points shared in proportion to the pieces' lengths (in log x when the whole span is logarithmic), at least 8 each.
        /// </summary>
        internal static void PiecewiseClusteredGrid(List<double> breaks, double[] grid, double[] weight)
        {
            int pieces = breaks.Count - 1, n = grid.Length;
            if (pieces == 1 || n < 8 * pieces)
            {
                ClusteredGrid(breaks[0], breaks[pieces], grid, weight);
                return;
            }

            bool logarithmic = breaks[pieces] / breaks[0] > 2;
            double Length(int i) => logarithmic ? Math.Log(breaks[i + 1] / breaks[i]) : breaks[i + 1] - breaks[i];
            double total = 0;
            for (int i = 0; i < pieces; i++) total += Length(i);
            int offset = 0;
            for (int i = 0; i < pieces; i++)
            {
                int count = i == pieces - 1 ? n - offset : Math.Max(8, Math.Min(n - offset - 8 * (pieces - 1 - i), (int)Math.Round(n * Length(i) / total)));
                ClusteredGrid(breaks[i], breaks[i + 1], grid, weight, offset, count, logarithmic);
                offset += count;
            }
        }

        private static void ClusteredGrid(double lower, double upper, double[] grid, double[] weight, int offset, int n, bool? logarithmicSpan = null)
        {
            bool logarithmic = logarithmicSpan ?? upper / lower > 2;
            // cos and sin of pi (k + 1/2) / n by rotation (round-off ~ k ulps, far below what the grid needs).
            double turnCos = Math.Cos(Math.PI / n), turnSin = Math.Sin(Math.PI / n);
            double cos = Math.Cos(Math.PI / (2 * n)), sin = Math.Sin(Math.PI / (2 * n));
            for (int k = 0; k < n; k++)
            {
                double s = (1 - cos) / 2;
                double ds = Math.PI / 2 * sin;
                double nextCos = cos * turnCos - sin * turnSin;
                sin = sin * turnCos + cos * turnSin;
                cos = nextCos;
                if (logarithmic)
                {
                    double span = Math.Log(upper / lower);
                    grid[offset + k] = lower * Math.Exp(span * s);
                    weight[offset + k] = grid[offset + k] * span * ds / n;
                }
                else
                {
                    grid[offset + k] = lower + (upper - lower) * s;
                    weight[offset + k] = (upper - lower) * ds / n;
                }
            }
        }

        /// <summary>A grid from <paramref name="low"/> to <paramref name="upper"/>, log-spaced and clustered at the upper edge.</summary>
        private static void LogGrid(double low, double upper, double[] grid, double[] weight)
        {
            int n = grid.Length;
            double span = Math.Log(upper / low);
            for (int k = 0; k < n; k++)
            {
                double t = (k + 0.5) / n;
                grid[k] = low * Math.Exp(span * Math.Sin(Math.PI * t / 2));
                weight[k] = grid[k] * span * Math.PI / 2 * Math.Cos(Math.PI * t / 2) / n;
            }
        }

        /// <summary>Midpoint rule in the grid parameter: mass (plus the tail below the grid) and first moment.</summary>
        private static void Integrate(double[] grid, double[] weight, double[] density, double tail, out double mass, out double first)
        {
            mass = tail;
            first = 0;
            for (int k = 0; k < grid.Length; k++)
            {
                mass += density[k] * weight[k];
                first += density[k] * weight[k] * grid[k];
            }
        }

        /// <summary>
        /// Mass below a new bottom <paramref name="low"/> from the power law x rho(x) ~ x^beta fitted on the two lowest
        /// points of the previous grid when it decays downwards; zero otherwise (the next mass check catches a deficit).
        /// </summary>
        private static double TailBelow(double[] grid, double[] density, double low)
        {
            double f0 = grid[0] * density[0], f1 = grid[1] * density[1];
            if (!(f0 > 0 && f1 > 0)) return 0;
            double beta = Math.Log(f1 / f0) / Math.Log(grid[1] / grid[0]);
            if (!(beta > 0)) return 0;
            return f0 / beta * Math.Pow(low / grid[0], beta);
        }

        private static void CheckOptions(SpectrumOptions options)
        {
            if (options.SmoothActivationAtoms < 1 || options.SmoothActivationAtoms > 400)
                throw new InvalidArchitectureException($"smooth-activation atoms must be between 1 and 400, got {options.SmoothActivationAtoms}.");
            if (!(options.ConcentratedLawVariance >= 0) || double.IsInfinity(options.ConcentratedLawVariance))
                throw new InvalidArchitectureException($"the concentrated-law variance must be a finite number >= 0, got {Format(options.ConcentratedLawVariance)}.");
            if (!(options.AtomReductionVariance >= 0 && options.AtomReductionVariance <= 1))
                throw new InvalidArchitectureException($"the atom-reduction variance must lie in [0, 1], got {Format(options.AtomReductionVariance)}.");
            if (!(options.LayerGroupingTolerance >= 0 && options.LayerGroupingTolerance <= 1e-2))
                throw new InvalidArchitectureException($"the layer grouping tolerance must lie in [0, 1e-2], got {Format(options.LayerGroupingTolerance)}.");
            CheckGridOptions(options);
        }

        /// <summary>The options every density computation shares (grid, Im z, moments, quantile levels).</summary>
        internal static void CheckGridOptions(SpectrumOptions options)
        {
            if (options.GridPoints < 10 || options.GridPoints > 1_000_000)
                throw new InvalidArchitectureException($"grid points must be between 10 and 1000000, got {options.GridPoints}.");
            if (options.AbsoluteEta.HasValue ? !(options.AbsoluteEta.Value > 0) : !(options.Eta > 0 && options.Eta < 1))
                throw new InvalidArchitectureException("the imaginary part for the density must be positive (relative eta in (0, 1)).");
            if (options.MomentOrder < 1 || options.MomentOrder > 40)
                throw new InvalidArchitectureException($"moment order must be between 1 and 40, got {options.MomentOrder}.");
            foreach (var level in options.QuantileLevels)
            {
                if (!(level >= 0 && level <= 1))
                    throw new InvalidArchitectureException($"quantile levels must lie in [0, 1], got {Format(level)}.");
            }
        }

        private static string Format(double x) => x.ToString("g4", CultureInfo.InvariantCulture);

        /// <summary>Evaluates the density of the normalised law by chained lilypad solves.</summary>
        private sealed class DensitySampler
        {
            private readonly MasterEquation _equation;
            private readonly NewtonLilypads _lilypads;
            private readonly SpectrumOptions _options;
            private readonly double _mean;
            private readonly Complex[] _y;
            private readonly Complex[] _previous;
            private Complex _previousZeta;
            private bool _hasPrevious;

            public DensitySampler(MasterEquation equation, SpectrumOptions options, double mean)
            {
                _equation = equation;
                _options = options;
                _mean = mean;
                _lilypads = new NewtonLilypads(equation, options.Lilypads);
                _y = new Complex[equation.Dimension];
                _previous = new Complex[equation.Dimension];
                SmallestImaginaryPart = double.PositiveInfinity;
                _baseDescription = options.AbsoluteEta.HasValue
                    ? "y = " + options.AbsoluteEta.Value.ToString("g3", CultureInfo.InvariantCulture)
                    : "y = " + options.Eta.ToString("g3", CultureInfo.InvariantCulture) + " x";
            }

            private readonly string _baseDescription;

            /// <summary>How Im z was chosen, with the points where it had to be raised.</summary>
            public string Description => RaisedPoints == 0
                ? _baseDescription
                : _baseDescription + $" (raised up to {LargestRaise.ToString("g1", CultureInfo.InvariantCulture)} times at {RaisedPoints} of {SampledPoints} points, where the certified walk could not get closer to the axis)";

            /// <summary>Points where Im z was raised above the requested value.</summary>
            public int RaisedPoints { get; private set; }

            /// <summary>Points sampled so far.</summary>
            public int SampledPoints { get; private set; }

            /// <summary>Factor by which Im z was raised at the last point sampled (1: not raised).</summary>
            public double LastRaise { get; private set; } = 1;

            /// <summary>Largest factor by which Im z was raised.</summary>
            public double LargestRaise { get; private set; } = 1;

            /// <summary>Im z may be raised by 10 at most this many times (1e-7 x becomes at most 1e-3 x).</summary>
            private const int MaxRaises = 4;

            public double SmallestImaginaryPart { get; private set; }

            public long Certifications => _lilypads.Certifications;

            private double ImaginaryPart(double x) =>
                _options.AbsoluteEta.HasValue ? _options.AbsoluteEta.Value / _mean : _options.Eta * x;

            public void Sample(double[] grid, double[] density)
            {
                for (int k = 0; k < grid.Length; k++) density[k] = At(grid[k], chain: true);
            }

            /// <summary>Density of the non-zero part of the normalised law at x: -Im((m + rank) / zeta) / pi.</summary>
            /// <param name="x">Point of the normalised axis.</param>
            /// <param name="chain">Start from the last point solved with chaining (else from a fresh proxy).</param>
            public double At(double x, bool chain)
            {
                // Near the real axis the certificate can need many small steps (stiff discretised laws: orthogonal
                // smooth networks). Try the requested Im z with a twentieth of the budget, then raise it by 10 at a
                // time (at most MaxRaises times, the last try with the whole budget); the raise is reported.
                double y = ImaginaryPart(x);
                int fullBudget = _options.Lilypads.MaxCertificationAttempts;
                Complex zeta = new Complex(x, y);
                double raise = 1;
                for (int attempt = 0; ; attempt++)
                {
                    bool last = attempt == MaxRaises;
                    int budget = last ? fullBudget : Math.Max(1000, fullBudget / 20);
                    zeta = new Complex(x, y * raise);
                    try
                    {
                        if (chain && _hasPrevious) _lilypads.SolveFrom(_previousZeta, _previous, zeta, _y, budget);
                        else _lilypads.SolveFromProxy(zeta, _y, budget);
                        break;
                    }
                    catch (SpectralConvergenceException) when (!last)
                    {
                        raise *= 10;
                    }
                }

                SampledPoints++;
                LastRaise = raise;
                if (raise > 1)
                {
                    RaisedPoints++;
                    LargestRaise = Math.Max(LargestRaise, raise);
                }

                SmallestImaginaryPart = Math.Min(SmallestImaginaryPart, zeta.Imaginary);
                Complex g = (_y[0] + _equation.RankFraction) / zeta;
                if (g.Imaginary > BranchTolerance(g, zeta) && chain && _hasPrevious)
                {
                    // Off the physical branch (Im G must be <= 0): redo from a fresh proxy.
                    _lilypads.SolveFromProxy(zeta, _y);
                    g = (_y[0] + _equation.RankFraction) / zeta;
                }

                if (g.Imaginary > BranchTolerance(g, zeta))
                    throw new SpectralConvergenceException($"the certified root at zeta = {zeta} is off the physical branch (Im G > 0).");
                if (chain)
                {
                    Array.Copy(_y, _previous, _y.Length);
                    _previousZeta = zeta;
                    _hasPrevious = true;
                }

                if (_poles != null)
                    foreach (var pole in _poles) g -= pole.Mass / (zeta - pole.Position);
                return Math.Max(0, -g.Imaginary / Math.PI);
            }

            private SpectralAtom[]? _poles;

            /// <summary>From now on the density is that of G minus the poles of these atoms (normalised positions): the continuous part.</summary>
            public void SubtractPoles(SpectralAtom[] atoms) => _poles = atoms;

            /// <summary>
            /// Slack of the test Im G &lt;= 0: relative 1e-9, plus the error of m + (1 - atom), which cancels near zeta = 0:
            /// Newton stops when its step is below the lilypad tolerance (1e-13) times |m| + 1, so m is known to about that,
            /// and the slack is ten times it. (With the slack equal to the tolerance, a point below the support where the
            /// density is 0 and Im G is round-off failed the test at 1.7 times the slack: seed 101420, ELU, zeta = 8e-23.)
            /// </summary>
            private double BranchTolerance(Complex g, Complex zeta) =>
                1e-9 * ComplexModulus.Of(g) + 10 * _options.Lilypads.Tolerance * (ComplexModulus.Of(_y[0]) + 1) / ComplexModulus.Of(zeta);

            /// <summary>
            /// For a hard edge at zero: probe x = upper 10^-d for growing d until the mass below, extrapolated from the
            /// local power law x rho(x) ~ x^beta, is under the tail tolerance.
            /// </summary>
            public double FindLowerCutoff(double upper, double floor, out double tail)
            {
                // Probes chain from one to the next (walking down the real axis); the grid then continues from the last.
                double previousX = upper * 1e-2;
                double previousF = At(previousX, chain: true) * previousX;
                tail = double.PositiveInfinity;
                double beta = double.NaN;
                for (int d = 3; d <= 300; d = d < 24 ? d + 3 : d * 2)
                {
                    double x = Math.Max(upper * Math.Pow(10, -Math.Min(d, 300)), floor);
                    if (x >= previousX) break;
                    double f;
                    try
                    {
                        f = At(x, chain: true) * x;
                    }
                    catch (SpectralConvergenceException)
                    {
                        // A probe the certificate cannot reach ends the probing: the last good one bounds the grid.
                        break;
                    }

                    if (f == 0)
                    {
                        tail = 0;
                        return x;
                    }

                    beta = Math.Log(previousF / f) / Math.Log(previousX / x);
                    previousX = x;
                    previousF = f;
                    if (beta > 0)
                    {
                        tail = f / beta;
                        if (tail < _options.TailMass) return x;
                    }

                    if (x <= floor) break;
                }

                // Tail below the last good probe from its local power law (x rho(x) ~ x^beta).
                // The chaining point is still the last good probe (a failed solve stores nothing).
                tail = beta > 0 ? previousF / beta : 0;
                return previousX;
            }
        }
    }
}
