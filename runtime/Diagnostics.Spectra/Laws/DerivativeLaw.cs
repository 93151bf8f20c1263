using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// The law nu_l of the entries of D_l^2 = phi'(h_l)^2 with h_l ~ N(0, q_l): an atom at zero plus non-zero atoms.
    /// Exact for piecewise-linear activations; for smooth ones a K-point Gauss-Hermite discretisation, which
    /// matches the first 2K - 1 moments of sqrt(q) Z pushed through phi'^2.
    /// </summary>
    public sealed class DerivativeLaw
    {
        /// <summary>Default number of Gauss-Hermite nodes used for smooth activations.</summary>
        public const int DefaultAtoms = 24;

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

            var rule = GaussianExpectation.Hermite(atoms);
            double sq = Math.Sqrt(q);
            var pairs = new List<KeyValuePair<double, double>>(atoms);
            double zero = 0;
            for (int j = 0; j < rule.Nodes.Length; j++)
            {
                double d = phi.Derivative(sq * rule.Nodes[j]);
                double c = d * d;
                if (c == 0) zero += rule.Weights[j];
                else pairs.Add(new KeyValuePair<double, double>(c, rule.Weights[j]));
            }

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

        private static DerivativeLaw Single(double p, double c) => p <= 0
            ? throw new SpectralConvergenceException("the derivative of the activation vanishes almost surely (pre-activation variance too large).")
            : new DerivativeLaw(1 - p, new[] { c }, new[] { p }, true);
    }
}
