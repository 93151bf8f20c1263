using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// The point masses of the law of J^T J away from zero, exactly, from the atoms of the factors.
    /// </summary>
    /// <remarks>
    /// Belinschi (2003), "The atoms of the free multiplicative convolution of two probability distributions": for laws
    /// mu, nu on [0, inf), mu boxtimes nu has an atom at a != 0 if and only if a = u v with mu({u}) + nu({v}) &gt; 1, and its
    /// mass is then mu({u}) + nu({v}) - 1 (at most one such pair per a: two pairs would need masses summing above 2).
    /// The law is followed on the output side, K_l = J_l J_l^T (N_l x N_l, normalised by N_l), from K_0 = I:
    /// <list type="bullet">
    /// <item>orthogonal W_l with N_l &lt;= N_{l-1} (orthonormal rows): W K W^T is the compression of K by a free projection of
    /// trace t = N_l / N_{l-1}, times sigma_w^2; an atom of mass w at u keeps (t + w - 1) / t of the N_l-normalised law when
    /// that is positive;</item>
    /// <item>orthogonal W_l with N_l &gt; N_{l-1} (orthonormal columns): K is embedded, its masses scaled by N_{l-1} / N_l;</item>
    /// <item>Gaussian W_l: Marchenko-Pastur factors have no atom away from zero, so none survives;</item>
    /// <item>D_l^2, free from W K W^T: atoms u v_j with mass w + p_j - 1 where positive, over the true atoms of D^2
    /// (<see cref="DerivativeLaw.ExactValues"/>): all of a piecewise-linear law's, the flat half phi'(0+)^2 (mass 1/2) of
    /// ELU and SELU; the other smooth activations have none (even when discretised for the density), so none survives.</item>
    /// </list>
    /// The non-zero eigenvalues of J^T J are those of J J^T = K_L: masses times N_L / N_0 in the law of J^T J.
    /// Atoms away from zero therefore need orthogonal weights throughout and piecewise-linear activations (or ELU/SELU), with mild
    /// compressions (e.g. one leaky-ReLU hidden layer between square orthogonal layers: two atoms of mass 1/2, no
    /// continuous part).
    /// </remarks>
    internal static class NonZeroAtoms
    {
        /// <summary>Masses at or below this are none (exact cancellations such as 1/2 + 1/2 - 1 leave round-off).</summary>
        public const double MassTolerance = 1e-12;

        /// <summary>The atoms away from zero (absolute positions, masses in the whole law), ascending; empty when there are none.</summary>
        public static List<SpectralAtom> Of(NetworkArchitecture network, IReadOnlyList<DerivativeLaw> laws)
        {
            var atoms = new List<SpectralAtom> { new SpectralAtom(1, 1) };
            var next = new List<SpectralAtom>();
            for (int l = 0; l < network.Depth; l++)
            {
                var layer = network.Layers[l];
                var law = laws[l];
                var values = law.ExactValues;
                var masses = law.ExactMasses;
                if (layer.Weights != WeightDistribution.Orthogonal || values.Length == 0) return new List<SpectralAtom>();
                double ratio = network.WidthProfile[l + 1] / network.WidthProfile[l];
                next.Clear();
                foreach (var atom in atoms)
                {
                    double mass = ratio <= 1 ? (ratio + atom.Mass - 1) / ratio : atom.Mass / ratio;
                    if (!(mass > MassTolerance)) continue;
                    double position = atom.Position * layer.WeightVariance;
                    for (int j = 0; j < values.Length; j++)
                    {
                        double combined = mass + masses[j] - 1;
                        if (combined > MassTolerance) next.Add(new SpectralAtom(position * values[j], Math.Min(1, combined)));
                    }
                }

                if (next.Count == 0) return new List<SpectralAtom>();
                (atoms, next) = (next, atoms);
            }

            double scale = network.WidthProfile[network.Depth] / network.WidthProfile[0];
            var result = new List<SpectralAtom>(atoms.Count);
            foreach (var atom in atoms) result.Add(new SpectralAtom(atom.Position, atom.Mass * scale));
            result.Sort((a, b) => a.Position.CompareTo(b.Position));
            return result;
        }
    }
}
