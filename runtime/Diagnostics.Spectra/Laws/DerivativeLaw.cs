using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// The law nu_l of the entries of D_l^2 = phi'(h_l)^2 with h_l ~ N(0, q_l): an atom at zero plus non-zero atoms.
    /// Exact for piecewise-linear activations; for smooth ones a K-point Gauss-Hermite discretisation, which
    /// matches the first 2K - 1 moments of sqrt(q) Z pushed through phi'^2; for ELU and SELU the exact atom of the flat
    /// half h &gt; 0 and the half-range Gauss rule on h &lt; 0 (<see cref="FlatHalf"/>).
    /// </summary>
    public sealed class DerivativeLaw
    {
        /// <summary>Default number of Gauss-Hermite nodes used for smooth activations.</summary>
        public const int DefaultAtoms = 48;

        /// <summary>
        /// Units with phi'(h)^2 below this fraction of E[phi'^2] count as inactive (zero derivative): their contribution
        /// to J^T J is below double precision relative to the bulk (e.g. saturated tanh, GELU or ELU at large q).
        /// </summary>
        public const double InactiveThreshold = 1e-10;

        private DerivativeLaw(double zeroMass, double[] values, double[] masses, bool isExact)
        {
            ZeroMass = zeroMass;
            Values = values;
            Masses = masses;
            IsExact = isExact;
            double mean = 0;
            for (int j = 0; j < values.Length; j++) mean += values[j] * masses[j];
            Mean = mean;
        }

        /// <summary>nu({0}).</summary>
        public double ZeroMass { get; }

        /// <summary>Non-zero atoms c_j (ascending).</summary>
        public double[] Values { get; }

        /// <summary>Their masses p_j; ZeroMass + sum p_j = 1.</summary>
        public double[] Masses { get; }

        /// <summary>False when the law is a discretisation of a continuous one.</summary>
        public bool IsExact { get; }

        /// <summary>
        /// The atoms of the true law among <see cref="Values"/>: all of them for an exact law, the flat half's atom
        /// phi'(0+)^2 (mass 1/2) for ELU and SELU, none for the other smooth activations. The atom rule
        /// (<see cref="NonZeroAtoms"/>) and the Fisher chain's atoms read these.
        /// </summary>
        internal double[] ExactValues => _exactValues ?? (IsExact ? Values : Array.Empty<double>());

        /// <summary>Masses of <see cref="ExactValues"/>.</summary>
        internal double[] ExactMasses => _exactMasses ?? (IsExact ? Masses : Array.Empty<double>());

        private double[]? _exactValues, _exactMasses;

        /// <summary>E[phi'^2] of this (possibly discretised) law.</summary>
        public double Mean { get; }

        /// <summary>One non-zero atom: the S-transform is rational.</summary>
        public bool IsSingleAtom => Values.Length == 1;

        /// <summary>Law of phi'(sqrt(q) Z)^2.</summary>
        /// <param name="phi">Activation.</param>
        /// <param name="q">Pre-activation variance.</param>
        /// <param name="atoms">Gauss-Hermite nodes for smooth activations (ignored for piecewise-linear ones).</param>
        public static DerivativeLaw For(Activation phi, double q, int atoms = DefaultAtoms)
        {
            if (atoms < 1) throw new ArgumentOutOfRangeException(nameof(atoms), "at least one atom is needed.");
            switch (phi.Kind)
            {
                case ActivationKind.Identity:
                case ActivationKind.HardSine:
                    return Single(1, 1);
                case ActivationKind.Relu:
                    return Single(0.5, 1);
                case ActivationKind.HardTanh:
                    return Single(ActivationMoments.ActiveFraction(phi, q), 1);
                case ActivationKind.LeakyRelu:
                {
                    double s2 = phi.Slope * phi.Slope;
                    if (phi.Slope == 0) return Single(0.5, 1);
                    if (s2 == 1) return Single(1, 1);
                    return s2 < 1
                        ? new DerivativeLaw(0, new[] { s2, 1.0 }, new[] { 0.5, 0.5 }, true)
                        : new DerivativeLaw(0, new[] { 1.0, s2 }, new[] { 0.5, 0.5 }, true);
                }
            }

            if (q == 0)
            {
                double d0 = phi.Derivative(0);
                return Single(1, d0 * d0);
            }

            // Units whose phi'^2 is below InactiveThreshold * E[phi'^2] pass no gradient at double precision: their mass
            // is computed exactly (crossings of the threshold located by bisection) and counted at zero; the Gauss-Hermite
            // nodes that fall there are dropped and the live ones rescaled to the live mass.
            double mean = ActivationMoments.DerivativeSecondMoment(phi, q);
            double threshold = InactiveThreshold * mean;
            double sq = Math.Sqrt(q);
            var crossings = ThresholdCrossings(phi, sq, threshold, out bool deadAtLeft);
            double dead = InactiveMass(crossings, deadAtLeft);
            if (phi.Kind == ActivationKind.Elu || phi.Kind == ActivationKind.Selu)
                return FlatHalf(phi, q, atoms / 2, crossings, deadAtLeft);
            var rule = GaussianExpectation.Hermite(atoms);
            var nodes = rule.Nodes;
            var weights = rule.Weights;
            if ((phi.Kind == ActivationKind.Gelu || phi.Kind == ActivationKind.Silu) && atoms >= 2 && SplitAtTheZero(phi, sq, atoms, out var splitNodes, out var splitWeights))
            {
                nodes = splitNodes;
                weights = splitWeights;
            }
            // Saturated units (large q: tanh, sigmoid, ELU...): when the live set is one interval [a, b] holding fewer
            // than half the Gauss-Hermite nodes, those few nodes cannot resolve phi'^2 across it; Gauss-Legendre on
            // [a, b] with the normal density as weight puts all K atoms there.
            // The live set is one interval [a, b] when it is dead on both sides with exactly two crossings.
            if (deadAtLeft && crossings.Count == 2 && CountInside(nodes, crossings[0], crossings[1]) < atoms / 2)
            {
                var legendre = new MathNet.Numerics.Integration.GaussLegendreRule(crossings[0], crossings[1], atoms);
                nodes = legendre.Abscissas;
                weights = new double[atoms];
                for (int j = 0; j < atoms; j++) weights[j] = legendre.Weights[j] * Math.Exp(-0.5 * nodes[j] * nodes[j]) / Math.Sqrt(2 * Math.PI);
            }

            var pairs = new List<KeyValuePair<double, double>>(atoms);
            double live = 0;
            for (int j = 0; j < nodes.Length; j++)
            {
                double d = phi.Derivative(sq * nodes[j]);
                double c = d * d;
                if (c < threshold) continue;
                pairs.Add(new KeyValuePair<double, double>(c, weights[j]));
                live += weights[j];
            }

            if (pairs.Count == 0 || dead >= 1)
                throw new SpectralConvergenceException($"the derivative of {phi} is below {InactiveThreshold:g1} of its mean almost everywhere at q = {q:g4}: every unit is inactive.");
            // Live masses rescaled to the exact live mass, then values rescaled so that the discrete mean equals the
            // adaptively integrated E[phi'^2] (Gauss-Hermite alone is biased when phi'^2 varies on a scale below the node
            // spacing, e.g. tanh at large q).
            double zero = dead;
            double discreteMean = 0;
            for (int j = 0; j < pairs.Count; j++)
            {
                pairs[j] = new KeyValuePair<double, double>(pairs[j].Key, pairs[j].Value * (1 - dead) / live);
                discreteMean += pairs[j].Key * pairs[j].Value;
            }

            double scale = mean / discreteMean;
            for (int j = 0; j < pairs.Count; j++) pairs[j] = new KeyValuePair<double, double>(pairs[j].Key * scale, pairs[j].Value);

            pairs.Sort((a, b) => a.Key.CompareTo(b.Key));
            // Symmetric activations give equal values at +-x_j: merge atoms that agree to 1e-12.
            var values = new List<double>();
            var masses = new List<double>();
            foreach (var pair in pairs)
            {
                int last = values.Count - 1;
                if (last >= 0 && Math.Abs(values[last] - pair.Key) <= 1e-12 * pair.Key) masses[last] += pair.Value;
                else
                {
                    values.Add(pair.Key);
                    masses.Add(pair.Value);
                }
            }

            return new DerivativeLaw(zero, values.ToArray(), masses.ToArray(), values.Count == 1);
        }

        /// <summary>
        /// ELU and SELU: phi' is the constant phi'(0+) for h &gt; 0, so the law of D^2 has an exact atom phi'(0+)^2 of mass
        /// P(h &gt; 0) = 1/2; only the h &lt; 0 half is continuous, D^2 = k e^{2 s Z} with k = phi'(0-)^2, s = sqrt(q), Z &lt; 0.
        /// The atom is kept exact (value and mass, marked in <see cref="ExactValues"/>). The half gets the Gauss rule of
        /// the half-normal weight with K/2 nodes (<see cref="GaussianExpectation.HalfHermite"/>): the kink is at the end of
        /// that weight's support, so the rule converges geometrically in K where Gauss-Hermite across the kink does not.
        /// Its live nodes' masses are rescaled to the half's exact live mass and their values to its exact share of
        /// E[phi'^2] (closed form). When that value rescaling is more than 25% (q above ~300 at K = 16, ~1000 at K = 48:
        /// the mean then sits within 1/(2 s) of the kink, closer than the first node), the half is instead cut into cells
        /// at the midpoints between those nodes, each cell one atom with its exact Gaussian mass at its exact conditional
        /// mean of D^2: exact mass and mean without rescaling, coarse in distribution.
        /// </summary>
        /// <remarks>
        /// Before, the whole Gauss-Hermite law (which straddles the kink at 0) was rescaled to the exact mean, and that moved
        /// the atom; the law was not marked exact, so atoms away from zero of orthogonal networks were not computed. Tried and
        /// not kept: Gauss-Legendre nodes in Phi(z) on the live half (reverted on 2026-12-07: in the exploding regime it spread
        /// all K/2 nodes over ten decades of D^2 and broke walks), Gauss-Hermite's own nodes on z &lt; 0 rescaled to the half's
        /// mass and mean (values multiplied by up to 10 at large q), and the cells alone at Gauss-Hermite's midpoints
        /// (conditional means sit near the top of cells wide in log D^2; first-order convergence in K: the median of a
        /// Gaussian SELU law 2.1x the converged value at K = 48, 1.3x at K = 192).
        /// </remarks>
        private static DerivativeLaw FlatHalf(Activation phi, double q, int halfNodes, List<double> crossings, bool deadAtLeft)
        {
            const double MaxValueRescaling = 0.25;
            double s = Math.Sqrt(q), t = 2 * s;
            double top = phi.Derivative(s);
            double flat = top * top;
            double kink = phi.Kind == ActivationKind.Elu
                ? Activation.EluAlpha * Activation.EluAlpha
                : Activation.SeluScale * Activation.SeluScale * Activation.SeluAlpha * Activation.SeluAlpha;
            double halfMean = ActivationMoments.LowerHalfDerivativeSecondMoment(phi, q);
            // The inactive units of these activations are the far left tail: z below the first crossing.
            double cut = deadAtLeft && crossings.Count > 0 ? Math.Min(crossings[0], 0) : double.NegativeInfinity;
            double liveHalf = 0.5 - Activation.StandardNormalCdf(cut);
            var rule = GaussianExpectation.HalfHermite(Math.Max(1, halfNodes));
            var pairs = new List<KeyValuePair<double, double>>(rule.Nodes.Length + 1);
            if (liveHalf > 0 && halfMean > 0)
            {
                double weight = 0, first = 0;
                for (int j = 0; j < rule.Nodes.Length; j++)
                {
                    double z = -rule.Nodes[j];
                    if (z < cut) continue;
                    double c = kink * Math.Exp(t * z);
                    pairs.Add(new KeyValuePair<double, double>(c, rule.Weights[j]));
                    weight += rule.Weights[j];
                    first += c * rule.Weights[j];
                }

                double massScale = liveHalf / weight, valueScale = halfMean / (first * massScale);
                if (pairs.Count > 0 && Math.Abs(valueScale - 1) <= MaxValueRescaling)
                {
                    for (int j = 0; j < pairs.Count; j++) pairs[j] = new KeyValuePair<double, double>(pairs[j].Key * valueScale, pairs[j].Value * massScale);
                }
                else
                {
                    // Cells between the midpoints of the nodes (z ascending: the deepest node first), truncated at the cut.
                    pairs.Clear();
                    var z = new double[rule.Nodes.Length];
                    for (int j = 0; j < z.Length; j++) z[j] = -rule.Nodes[z.Length - 1 - j];
                    double cellMeans = 0;
                    for (int j = 0; j < z.Length; j++)
                    {
                        double a = Math.Max(j == 0 ? double.NegativeInfinity : 0.5 * (z[j - 1] + z[j]), cut);
                        double b = j == z.Length - 1 ? 0 : 0.5 * (z[j] + z[j + 1]);
                        if (!(b > a)) continue;
                        double mass = Activation.StandardNormalCdf(b) - Activation.StandardNormalCdf(a);
                        double mean = kink * (ExponentialTail(t, b) - ExponentialTail(t, a));
                        if (!(mass > 0) || !(mean > 0)) continue; // too thin or too deep to resolve: counted at zero below
                        pairs.Add(new KeyValuePair<double, double>(mean / mass, mass));
                        cellMeans += mean;
                    }

                    // The cells' means telescope to the half's mean above the cut; the inactive tail's share (below 1e-10 of
                    // the mean) goes to the cells so that the law's mean is exact.
                    for (int j = 0; j < pairs.Count; j++) pairs[j] = new KeyValuePair<double, double>(pairs[j].Key * halfMean / cellMeans, pairs[j].Value);
                }
            }

            pairs.Add(new KeyValuePair<double, double>(flat, 0.5));
            pairs.Sort((x, y) => x.Key.CompareTo(y.Key));
            double live = 0;
            foreach (var pair in pairs) live += pair.Value;
            var values = new double[pairs.Count];
            var masses = new double[pairs.Count];
            for (int j = 0; j < pairs.Count; j++)
            {
                values[j] = pairs[j].Key;
                masses[j] = pairs[j].Value;
            }

            return new DerivativeLaw(Math.Max(0, 1 - live), values, masses, values.Length == 1) { _exactValues = new[] { flat }, _exactMasses = new[] { 0.5 } };
        }

        /// <summary>
        /// GELU and SiLU: phi' has one zero x_0 (GELU -0.7518, SiLU -1.2785), where phi'^2 has a double zero, so the law of
        /// D^2 has a density ~ c^(-1/2) at 0. Gauss-Hermite nodes fall next to z_0 = x_0 / sqrt(q) by chance: the small atoms
        /// they give, and the lowest deciles of the Jacobian law, jump with K. Here the Gaussian weight is split at z_0 and
        /// each side gets its own Gauss rule (<see cref="GaussianExpectation.TruncatedHermite"/>), nodes in proportion to its
        /// mass (at least one each; false, and Gauss-Hermite kept, when a side has mass below 1e-12): phi'^2 is analytic on each side, and the nodes cluster at
        /// z_0 in the same way for every K.
        /// </summary>
        private static bool SplitAtTheZero(Activation phi, double sq, int atoms, out double[] nodes, out double[] weights)
        {
            double z0 = DerivativeZero(phi) / sq;
            double left = Activation.StandardNormalCdf(z0);
            nodes = Array.Empty<double>();
            weights = Array.Empty<double>();
            // A side with mass below 1e-12 (small q: z_0 below -7) carries nothing: Gauss-Hermite stays (callers keep it).
            if (!(left > 1e-12 && left < 1 - 1e-12)) return false;
            int nLeft = Math.Max(1, Math.Min(atoms - 1, (int)Math.Round(atoms * left)));
            int nRight = atoms - nLeft;
            var right = GaussianExpectation.TruncatedHermite(z0, nRight);
            var mirrored = GaussianExpectation.TruncatedHermite(-z0, nLeft);
            nodes = new double[atoms];
            weights = new double[atoms];
            for (int j = 0; j < nLeft; j++)
            {
                nodes[j] = -mirrored.Nodes[nLeft - 1 - j];
                weights[j] = mirrored.Weights[nLeft - 1 - j];
            }

            for (int j = 0; j < nRight; j++)
            {
                nodes[nLeft + j] = right.Nodes[j];
                weights[nLeft + j] = right.Weights[j];
            }

            return true;
        }

        private static readonly double GeluZero = ZeroOfDerivative(Activation.Gelu), SiluZero = ZeroOfDerivative(Activation.Silu);

        /// <summary>The zero of phi' (GELU, SiLU).</summary>
        private static double DerivativeZero(Activation phi) => phi.Kind == ActivationKind.Gelu ? GeluZero : SiluZero;

        /// <summary>The zero of phi' by bisection on [-3, 0] (phi'(-3) &lt; 0 &lt; phi'(0) for GELU and SiLU).</summary>
        private static double ZeroOfDerivative(Activation phi)
        {
            double lo = -3, hi = 0;
            for (int it = 0; it < 100 && hi - lo > 1e-16; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (phi.Derivative(mid) < 0) lo = mid; else hi = mid;
            }

            return 0.5 * (lo + hi);
        }

        /// <summary>e^{t^2/2} Phi(x - t) = E[e^{t Z}; Z &lt; x] for x &lt;= 0 &lt; t, without overflow: erfcx((t - x)/sqrt 2) e^{t x - x^2/2} / 2.</summary>
        private static double ExponentialTail(double t, double x) =>
            double.IsNegativeInfinity(x) ? 0 : 0.5 * ActivationMoments.ScaledErfc((t - x) / Math.Sqrt(2)) * Math.Exp(t * x - 0.5 * x * x);

        private static int CountInside(double[] nodes, double a, double b)
        {
            int count = 0;
            foreach (var z in nodes) if (z >= a && z <= b) count++;
            return count;
        }

        /// <summary>
        /// Where phi'(s z)^2 crosses the threshold on [-10, 10] (a scan of 500 steps, each crossing refined by bisection),
        /// ascending; <paramref name="deadAtLeft"/> tells whether the set starts inactive at z = -10.
        /// </summary>
        private static List<double> ThresholdCrossings(Activation phi, double s, double threshold, out bool deadAtLeft)
        {
            const int Steps = 500; // the inactive sets of the supported activations are saturated tails (intervals to +-infinity)
            const double Span = GaussianExpectation.TruncationInSigmas;
            Func<double, bool> inactive = z => { double d = phi.Derivative(s * z); return d * d < threshold; };
            var crossings = new List<double>();
            double previous = -Span;
            bool state = inactive(previous);
            deadAtLeft = state;
            for (int k = 1; k <= Steps; k++)
            {
                double z = -Span + 2 * Span * k / Steps;
                bool now = inactive(z);
                if (now != state)
                {
                    double lo = previous, hi = z;
                    for (int it = 0; it < 60; it++)
                    {
                        double mid = 0.5 * (lo + hi);
                        if (inactive(mid) == state) lo = mid; else hi = mid;
                    }

                    crossings.Add(0.5 * (lo + hi));
                    state = now;
                }

                previous = z;
            }

            return crossings;
        }

        /// <summary>P(phi'(s Z)^2 &lt; threshold) from the crossings of the threshold: the inactive pieces alternate with the live ones.</summary>
        private static double InactiveMass(List<double> crossings, bool deadAtLeft)
        {
            double mass = 0;
            bool state = deadAtLeft;
            double start = double.NegativeInfinity;
            foreach (double crossing in crossings)
            {
                if (state) mass += Activation.StandardNormalCdf(crossing) - Activation.StandardNormalCdf(start);
                else start = crossing;
                state = !state;
            }

            if (state) mass += 1 - Activation.StandardNormalCdf(start);
            return mass;
        }

        /// <summary>Whether phi'^2 is even (tanh, sigmoid): Gauss-Hermite nodes at +-z then give one atom.</summary>
        internal static bool HasEvenDerivative(Activation phi) => phi.Kind == ActivationKind.Tanh || phi.Kind == ActivationKind.Sigmoid;

        /// <summary>
        /// Gauss-Hermite nodes for <paramref name="atoms"/> atoms: 2K (at most 400) for an even phi'^2 when
        /// <paramref name="distinct"/> (K then counts distinct atoms), K otherwise.
        /// </summary>
        internal static int Nodes(Activation phi, int atoms, bool distinct) =>
            distinct && HasEvenDerivative(phi) ? Math.Min(2 * atoms, 400) : atoms;

        /// <summary>The law delta_1 (D^2 = I): a unit atom, the placeholder of a layer pooled into another one.</summary>
        internal static DerivativeLaw UnitAtom { get; } = new DerivativeLaw(0, new[] { 1.0 }, new[] { 1.0 }, true);

        /// <summary>A discretised law without inactive units (values ascending, masses summing to 1).</summary>
        internal static DerivativeLaw Discretised(double[] values, double[] masses) => new DerivativeLaw(0, values, masses, false);

        /// <summary>A discretised law with an atom at zero of mass <paramref name="zeroMass"/> (values ascending, zeroMass + masses summing to 1).</summary>
        internal static DerivativeLaw Discretised(double zeroMass, double[] values, double[] masses) => new DerivativeLaw(zeroMass, values, masses, false);

        private static DerivativeLaw Single(double p, double c) => p <= 0
            ? throw new SpectralConvergenceException("the derivative of the activation vanishes almost surely (pre-activation variance too large).")
            : new DerivativeLaw(1 - p, new[] { c }, new[] { p }, true);
    }
}
