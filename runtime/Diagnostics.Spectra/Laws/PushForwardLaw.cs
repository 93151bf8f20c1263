using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// Networks whose Jacobian law is one smooth D^2 law itself: a first orthogonal layer that does not widen
    /// (N_1 &lt;= N_0, orthonormal rows, so W_1 W_1^T = sigma_1^2 I) with a smooth activation, then only orthogonal layers
    /// that do not narrow (N_l &gt;= N_{l-1}, orthonormal columns: W_l^T W_l = sigma_l^2 I) and whose D^2 is the constant 1
    /// (identity, hard sine). The non-zero eigenvalues of J^T J are then exactly those of
    /// J J^T = C D_1^2, C = prod_l sigma_l^2: the law of C phi'(sqrt(q_1) Z)^2, Z ~ N(0, 1), with mass N_1 / N_0.
    /// </summary>
    /// <remarks>
    /// The master equation of a K-atom discretisation has K atoms here and nothing to smooth them (before this, these
    /// networks ended in a typed exception). The law is computed directly: s(z) = C phi'(sqrt(q) z)^2 is split into
    /// monotone pieces on [-12, 12] (its critical points, where phi'' = 0 or phi' = 0, and z = 0, where ELU/SELU's phi'
    /// jumps), and on each piece the level set {s = x} is one point z_x found by bisection: CDF = sum of the Gaussian
    /// measures of {s &lt;= x} on the pieces (exact up to the bisection), density = sum phi_N(z_x) / |s'(z_x)|. Units whose
    /// phi'^2 is below <see cref="DerivativeLaw.InactiveThreshold"/> of its mean count at zero, as everywhere else.
    /// Local extrema of s inside the support are integrable 1/sqrt singularities of the density: the grid is split
    /// there and clustered at both ends of each piece.
    /// </remarks>
    internal static class PushForwardLaw
    {
        /// <summary>True when the network's law is the push-forward of its first layer's D^2 law (see the class remarks).</summary>
        public static bool Applies(NetworkArchitecture network, IReadOnlyList<DerivativeLaw> laws)
        {
            var first = network.Layers[0];
            if (first.Weights != WeightDistribution.Orthogonal || laws[0].IsExact) return false;
            if (network.WidthProfile[1] > network.WidthProfile[0]) return false;
            for (int l = 1; l < network.Depth; l++)
            {
                var layer = network.Layers[l];
                if (layer.Weights != WeightDistribution.Orthogonal || network.WidthProfile[l + 1] < network.WidthProfile[l]) return false;
                if (!IsUnitDerivative(laws[l])) return false;
            }

            return true;
        }

        /// <summary>D^2 = 1 exactly (identity, hard sine, leaky slope 1): the layer's D is orthogonal.</summary>
        private static bool IsUnitDerivative(DerivativeLaw law) => law.IsExact && law.IsSingleAtom && law.ZeroMass == 0 && law.Values[0] == 1;

        public static SquaredSingularValueLaw Compute(NetworkArchitecture network, SignalPropagationResult propagation, IReadOnlyList<DerivativeLaw> laws,
            SpectrumOptions options, double[] moments, double mean)
        {
            var phi = network.Layers[0].Activation;
            double scale = 1;
            foreach (var layer in network.Layers) scale *= layer.WeightVariance;
            var s = DerivativeSquareLaw.Of(phi, propagation.Q[0], scale);
            double fraction = network.WidthProfile[1] / network.WidthProfile[0];
            var atoms = new List<SpectralAtom>();
            foreach (var a in s.Atoms) atoms.Add(new SpectralAtom(a.Position, fraction * a.Mass));

            int n = options.GridPoints;
            var grid = new double[n];
            var weight = new double[n];
            JacobianSpectrum.PiecewiseClusteredGrid(s.Breaks, grid, weight);
            double atomMass = 0, atomFirst = 0;
            foreach (var a in atoms)
            {
                atomMass += a.Mass;
                atomFirst += a.Mass * a.Position;
            }

            var density = new double[n];
            var cdf = new double[n];
            double first = 0, mass = 0;
            for (int k = 0; k < n; k++)
            {
                density[k] = fraction * s.Density(grid[k]);
                cdf[k] = s.ContinuousCdf(grid[k]) / s.LiveMass;
                mass += density[k] * weight[k];
                first += density[k] * weight[k] * grid[k];
            }

            // The atom at zero from the ranks and the exact dead mass (as on every other path); the non-zero mass and the
            // mean from the quadrature of the density, so that the identities check the grid.
            double atom = 1 - fraction * (1 - laws[0].ZeroMass);
            double top = s.Upper, topAtom = 0;
            foreach (var a in atoms)
            {
                if (a.Position >= top * (1 - 1e-12))
                {
                    top = a.Position;
                    topAtom = a.Mass;
                }
            }

            return new SquaredSingularValueLaw(network, propagation, laws, atom, mean, moments, s.Lower, top, grid, density, cdf, 0, mass + atomMass, first + atomFirst,
                $"none: exact push-forward of the law of {phi}'^2 (one smooth orthogonal layer)", 0, false, 0, options, s.Upper, topAtom, atoms.ToArray());
        }
    }

    /// <summary>
    /// The law of s(Z) = C phi'(sqrt(q) Z)^2, Z ~ N(0, 1), computed from its level sets (see <see cref="PushForwardLaw"/>):
    /// monotone pieces of s, flat pieces as atoms, CDF as a Gaussian measure, density sum phi_N(z_x)/|s'(z_x)|. Units with
    /// s below <see cref="DerivativeLaw.InactiveThreshold"/> of its mean are inactive (they belong to the atom at zero).
    /// </summary>
    internal sealed class DerivativeSquareLaw
    {
        private const double ZRange = 12;
        private const int ScanPoints = 4096;
        private const int Bisections = 80;

        private readonly Func<double, double> _s;
        private readonly List<(double Z0, double Z1, double S0, double S1)> _pieces;

        private DerivativeSquareLaw(Func<double, double> s, List<(double, double, double, double)> pieces, double threshold, double lower, double upper,
            List<SpectralAtom> atoms, List<double> breaks)
        {
            _s = s;
            _pieces = pieces;
            Threshold = threshold;
            Lower = lower;
            Upper = upper;
            Atoms = atoms;
            Breaks = breaks;
            ContinuousMass = ContinuousCdf(upper * (1 + 1e-12));
            LiveMass = ContinuousMass;
            foreach (var a in atoms) LiveMass += a.Mass;
        }

        /// <summary>Values of s below this are inactive units.</summary>
        public double Threshold { get; }

        /// <summary>Lower end of the continuous part (at least the threshold).</summary>
        public double Lower { get; }

        /// <summary>Upper end of the continuous part.</summary>
        public double Upper { get; }

        /// <summary>Flat pieces of s (ELU/SELU for h &gt; 0): positions and Gaussian masses.</summary>
        public IReadOnlyList<SpectralAtom> Atoms { get; }

        /// <summary>Sorted breakpoints of a grid of the continuous part: its ends and the extrema of s (1/sqrt singularities).</summary>
        public List<double> Breaks { get; }

        /// <summary>Gaussian mass of the live continuous part.</summary>
        public double ContinuousMass { get; }

        /// <summary>Gaussian mass of the live units: the continuous part and the flat pieces (1 minus the inactive mass).</summary>
        public double LiveMass { get; }

        /// <summary>The law of C phi'(sqrt(q) Z)^2.</summary>
        /// <exception cref="SpectralConvergenceException">No live part above the inactive threshold.</exception>
        public static DerivativeSquareLaw Of(Activation phi, double q, double scale)
        {
            double sq = Math.Sqrt(q);
            double threshold = DerivativeLaw.InactiveThreshold * ActivationMoments.DerivativeSecondMoment(phi, q) * scale;
            double S(double z)
            {
                double d = phi.Derivative(sq * z);
                return scale * d * d;
            }

            // Monotone pieces: breaks where the sampled s changes direction (refined by ternary search) and at z = 0.
            var breaks = new List<double> { -ZRange };
            double h = 2 * ZRange / ScanPoints;
            double previous = S(-ZRange), current = S(-ZRange + h);
            for (int k = 1; k < ScanPoints; k++)
            {
                double z = -ZRange + k * h;
                double next = S(z + h);
                bool max = current > previous && current >= next, min = current < previous && current <= next;
                if (max || min) breaks.Add(Extremum(S, z - h, z + h, max));
                previous = current;
                current = next;
            }

            breaks.Add(0);
            breaks.Add(ZRange);
            breaks.Sort();
            var pieces = new List<(double Z0, double Z1, double S0, double S1)>();
            for (int i = 0; i + 1 < breaks.Count; i++)
            {
                double z0 = breaks[i], z1 = breaks[i + 1];
                if (z1 - z0 <= 1e-12) continue;
                // One-sided limits at the ends (ELU/SELU: phi' jumps at 0).
                double e = 1e-12 * Math.Max(1, Math.Abs(z1 - z0));
                pieces.Add((z0, z1, S(z0 + e), S(z1 - e)));
            }

            // Flat pieces are atoms (ELU and SELU: phi' is constant for h > 0, an atom of mass P(h > 0) = 1/2).
            // (A piece between an extremum and z = 0 can be a hair wide and flat to round-off: not an atom.)
            var flat = pieces.FindAll(p => p.Z1 - p.Z0 > 1e-3 && Math.Abs(p.S1 - p.S0) <= 1e-12 * Math.Max(p.S0, p.S1)
                && Math.Abs(S(0.5 * (p.Z0 + p.Z1)) - p.S0) <= 1e-12 * p.S0);
            pieces.RemoveAll(p => flat.Contains(p));
            var atoms = new List<SpectralAtom>();
            foreach (var p in flat)
            {
                double w = Activation.StandardNormalCdf(p.Z1) - Activation.StandardNormalCdf(p.Z0);
                // (A far tail where phi' has rounded to its limit, e.g. GELU beyond z = 8: mass 1e-10, not an atom.)
                if (p.S0 < threshold || w < 1e-9) continue;
                int same = atoms.FindIndex(a => Math.Abs(a.Position - p.S0) <= 1e-12 * p.S0);
                if (same >= 0) atoms[same] = new SpectralAtom(atoms[same].Position, atoms[same].Mass + w);
                else atoms.Add(new SpectralAtom(p.S0, w));
            }

            // Support of the live part and the breakpoints of the grid: piece ends (extrema of s, one-sided limits).
            double lo = double.PositiveInfinity, hi = 0;
            var levels = new List<double>();
            foreach (var p in pieces)
            {
                foreach (double v in new[] { p.S0, p.S1 })
                {
                    if (v < threshold) continue;
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                    levels.Add(v);
                }
            }

            lo = Math.Max(lo, threshold);
            if (pieces.Exists(p => Math.Min(p.S0, p.S1) < threshold && Math.Max(p.S0, p.S1) >= threshold)) lo = threshold;
            if (!(hi > lo))
                throw new SpectralConvergenceException($"the law of phi'^2 of {phi} at q = {q:g4} has no live part above {threshold:g3}.");

            // Grid breakpoints: the sorted levels (square-root behaviour at every extremum of s).
            levels.Add(lo);
            levels.Add(hi);
            levels.Sort();
            var cuts = new List<double>();
            foreach (double v in levels)
                if (v >= lo && v <= hi && (cuts.Count == 0 || v > cuts[cuts.Count - 1] * (1 + 1e-9))) cuts.Add(v);
            return new DerivativeSquareLaw(S, pieces, threshold, lo, hi, atoms, cuts);
        }

        /// <summary>Gaussian measure of the live continuous part at or below x (atoms excluded).</summary>
        public double ContinuousCdf(double x) => LiveMeasureBelow(_pieces, _s, x, Threshold);

        /// <summary>Density of the continuous part at x (Gaussian measure per unit of s).</summary>
        public double Density(double x)
        {
            double total = 0;
            foreach (var p in _pieces)
            {
                double a = Math.Min(p.S0, p.S1), b = Math.Max(p.S0, p.S1);
                if (!(x > a && x < b)) continue;
                double z = LevelPoint(_s, p.Z0, p.Z1, p.S0 < p.S1, x);
                double step = 1e-6 * Math.Max(1e-3, Math.Abs(z));
                double slope = (_s(z + step) - _s(z - step)) / (2 * step);
                if (slope != 0) total += Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI) / Math.Abs(slope);
            }

            return total;
        }

        /// <summary>Gaussian measure of {z : threshold &lt;= s(z) &lt;= x} over the pieces.</summary>
        private static double LiveMeasureBelow(List<(double Z0, double Z1, double S0, double S1)> pieces, Func<double, double> s, double x, double threshold)
        {
            double total = 0;
            foreach (var p in pieces)
            {
                double a = Math.Min(p.S0, p.S1), b = Math.Max(p.S0, p.S1);
                if (b <= a)
                {
                    // Flat to round-off (a hair-wide piece between an extremum found to ~1e-8 and z = 0): all or nothing.
                    // Skipping it lost its Gaussian measure, 2.6e-9 of tanh's law at q = 1.25.
                    if (a >= threshold && x >= a) total += Math.Abs(Activation.StandardNormalCdf(p.Z1) - Activation.StandardNormalCdf(p.Z0));
                    continue;
                }

                double lowLevel = Math.Max(threshold, a), highLevel = Math.Min(x, b);
                if (!(highLevel > lowLevel)) continue;
                bool increasing = p.S0 < p.S1;
                double za = lowLevel <= a ? (increasing ? p.Z0 : p.Z1) : LevelPoint(s, p.Z0, p.Z1, increasing, lowLevel);
                double zb = highLevel >= b ? (increasing ? p.Z1 : p.Z0) : LevelPoint(s, p.Z0, p.Z1, increasing, highLevel);
                total += Math.Abs(Activation.StandardNormalCdf(Math.Max(za, zb)) - Activation.StandardNormalCdf(Math.Min(za, zb)));
            }

            return total;
        }

        /// <summary>The z in [z0, z1] where the monotone s equals x (bisection).</summary>
        private static double LevelPoint(Func<double, double> s, double z0, double z1, bool increasing, double x)
        {
            double a = z0, b = z1;
            for (int k = 0; k < Bisections && b - a > 1e-15 * Math.Max(1, Math.Abs(a)); k++)
            {
                double mid = 0.5 * (a + b);
                bool below = s(mid) < x;
                if (below == increasing) a = mid;
                else b = mid;
            }

            return 0.5 * (a + b);
        }

        /// <summary>Ternary search for the extremum of s in [a, b].</summary>
        private static double Extremum(Func<double, double> s, double a, double b, bool maximum)
        {
            for (int k = 0; k < 100 && b - a > 1e-14 * Math.Max(1, Math.Abs(a)); k++)
            {
                double m1 = a + (b - a) / 3, m2 = b - (b - a) / 3;
                bool left = maximum ? s(m1) > s(m2) : s(m1) < s(m2);
                if (left) b = m2;
                else a = m1;
            }

            return 0.5 * (a + b);
        }
    }
}
