using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// Fewer atoms for each discretised D^2 law on its own: its atoms (ascending) are cut into runs, and a run of
    /// normalised variance v = Var / mean^2 within the budget is replaced by its own Gauss rule of K(v) atoms (the K of
    /// <see cref="ConcentratedDerivativeLaws"/>: 2, 3, 4 or 8 below 1e-2, 3e-2, 0.1, and up to the budget), which has the
    /// run's mass and moments up to order 2K - 1. The cut minimises the total number of atoms (dynamic programming over
    /// the runs). The atom at zero, single atoms and the smallest atom are kept as they are.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Where <see cref="ConcentratedDerivativeLaws"/> pools nearly point-mass laws across layers, this works inside one
    /// law, for laws made of tight clusters and for laws that are only moderately spread: SELU at a small q (half its
    /// mass on the exact atom lambda^2 from h &gt; 0, the other half on eight Gauss-Hermite atoms within a few percent
    /// of lambda^2 alpha^2: 9 atoms -&gt; 3) and softplus at TorchSharp's defaults (v about 0.2 per layer: 16 atoms -&gt; 8). The master equation's cost per basin test grows with the atoms of its
    /// multi-atom unknowns.
    /// </para>
    /// <para>
    /// The smallest atom is kept because the lower edge of the support of J^T J comes from it: merged into its run, the
    /// smallest atom of saturated tanh (1.7e-7, mass 3e-10) went, the lower edge of a deep tanh network with width-5
    /// bottlenecks (sweep draw 200057) came out at zero instead of 1.2e-10, and its hard-edge grid put the deciles up to
    /// 0.018 in level from the engine's defaults (0.0034 unreduced). The extreme Gauss-Hermite nodes (mass 1.5e-10 for
    /// K = 16) make the smallest atom an isolated one in nearly every law, so it costs an atom: softplus on TorchSharp's
    /// defaults 15.6 -&gt; 20.5 ms of a cold analysis (keeping the largest too: 22 ms, not done).
    /// The moments of each law are kept up to order 2 K_min - 1 over its reduced runs (the mean always), so those of
    /// J^T J up to that order too (tested). The rule of a run comes from the discretised Stieltjes procedure on its
    /// standardised atoms (recurrence coefficients of the orthogonal polynomials, then the eigenvalues of the Jacobi
    /// matrix): no moments, so no Hankel conditioning; the nodes lie inside the run, so they stay positive and ordered.
    /// Layers with orthogonal weights keep their laws: without the Marchenko-Pastur factor of a Gaussian layer to
    /// smooth it, the free product of few-atom laws shows their atoms (20 x 256 orthogonal tanh on TorchSharp's defaults
    /// with reduced laws: a density integrating to 4.3, and at the critical gain no certified step; SiLU off by 3.8e-3
    /// in level). Off by default in the engine (<see cref="SpectrumOptions.AtomReductionVariance"/> = 0); the analyzer uses 0.3.
    /// </para>
    /// </remarks>
    internal static class ReducedDerivativeLaws
    {
        /// <summary>
        /// Each discretised law with at least three atoms of a layer with Gaussian weights replaced by its reduced law when that has fewer atoms;
        /// <paramref name="laws"/> itself when nothing changes or the budget is 0. A law that matches an earlier one to
        /// <paramref name="groupingTolerance"/> (normalised atoms and masses, as the master equation groups layers) gets the same cut, so that
        /// the two stay one unknown.
        /// </summary>
        public static IReadOnlyList<DerivativeLaw> Reduce(NetworkArchitecture network, IReadOnlyList<DerivativeLaw> laws, double varianceBudget, double groupingTolerance)
        {
            if (!(varianceBudget > 0)) return laws;
            DerivativeLaw[]? reduced = null;
            var cuts = new List<(DerivativeLaw Law, List<(int Start, int End, int Atoms)>? Runs)>();
            for (int l = 0; l < laws.Count; l++)
            {
                var law = laws[l];
                if (law.IsExact || law.Values.Length < 3 || network.Layers[l].Weights != WeightDistribution.Gaussian) continue;
                var match = cuts.FindIndex(c => ConcentratedDerivativeLaws.SameLaw(c.Law, law, groupingTolerance));
                var runs = match >= 0 ? cuts[match].Runs : Cut(law, varianceBudget);
                if (match < 0) cuts.Add((law, runs));
                var smaller = runs == null ? null : Build(law, runs);
                if (smaller == null) continue;
                reduced ??= laws.ToArray();
                reduced[l] = smaller;
            }

            return reduced ?? laws;
        }

        /// <summary>The reduced law (null when no cut has fewer atoms or a run's rule fails: the law then stays as it is).</summary>
        internal static DerivativeLaw? Of(DerivativeLaw law, double varianceBudget)
        {
            var runs = Cut(law, varianceBudget);
            return runs == null ? null : Build(law, runs);
        }

        /// <summary>The runs (start, end exclusive, atoms) with the fewest atoms in all; null when that is no fewer than the law's.</summary>
        private static List<(int Start, int End, int Atoms)>? Cut(DerivativeLaw law, double varianceBudget)
        {
            var x = law.Values;
            var p = law.Masses;
            int n = x.Length;
            // best[j]: fewest atoms for the first j atoms; from[j]: where the last run starts; rule[j]: its atoms.
            var best = new int[n + 1];
            var from = new int[n + 1];
            var rule = new int[n + 1];
            for (int j = 1; j <= n; j++) best[j] = int.MaxValue;
            for (int i = 0; i < n; i++)
            {
                if (best[i] == int.MaxValue) continue;
                double mass = 0, first = 0, second = 0;
                for (int j = i; j < n; j++)
                {
                    mass += p[j];
                    first += p[j] * x[j];
                    second += p[j] * x[j] * x[j];
                    int length = j - i + 1;
                    int atoms = length;
                    // The smallest atom stays as it is: the lower edge of J^T J comes from it.
                    if (length > 1 && i > 0)
                    {
                        double mean = first / mass;
                        double v = Math.Max(0, second / mass / (mean * mean) - 1);
                        if (v <= varianceBudget) atoms = Math.Min(length, v < ConcentratedDerivativeLaws.ThreePointVariance ? 2 : ConcentratedDerivativeLaws.PooledAtoms(v));
                    }

                    if (best[i] + atoms < best[j + 1])
                    {
                        best[j + 1] = best[i] + atoms;
                        from[j + 1] = i;
                        rule[j + 1] = atoms;
                    }
                }
            }

            if (best[n] >= n) return null;
            var runs = new List<(int Start, int End, int Atoms)>();
            for (int j = n; j > 0; j = from[j]) runs.Add((from[j], j, rule[j]));
            runs.Reverse();
            return runs;
        }

        /// <summary>The law with each run replaced by its Gauss rule; null when a rule fails.</summary>
        private static DerivativeLaw? Build(DerivativeLaw law, List<(int Start, int End, int Atoms)> runs)
        {
            var x = law.Values;
            var p = law.Masses;
            var values = new List<double>();
            var masses = new List<double>();
            foreach (var (start, end, atoms) in runs)
            {
                if (atoms == end - start)
                {
                    for (int k = start; k < end; k++)
                    {
                        values.Add(x[k]);
                        masses.Add(p[k]);
                    }

                    continue;
                }

                if (!GaussRuleOfRun(x, p, start, end, atoms, values, masses)) return null;
            }

            return DerivativeLaw.Discretised(law.ZeroMass, values.ToArray(), masses.ToArray());
        }

        /// <summary>
        /// The <paramref name="points"/>-point Gauss rule of the atoms start..end-1 (their mass, moments to order 2K - 1),
        /// appended to the lists; false when it is degenerate (a recurrence coefficient not positive).
        /// </summary>
        internal static bool GaussRuleOfRun(double[] x, double[] p, int start, int end, int points, List<double> values, List<double> masses)
        {
            int n = end - start;
            double mass = 0, first = 0;
            for (int k = start; k < end; k++)
            {
                mass += p[k];
                first += p[k] * x[k];
            }

            double mean = first / mass, second = 0;
            for (int k = start; k < end; k++) second += p[k] * (x[k] - mean) * (x[k] - mean);
            double sd = Math.Sqrt(second / mass);
            if (!(sd > 0)) return false;
            // Discretised Stieltjes on y = (x - mean) / sd with weights w = p / mass: p_{k+1} = (y - a_k) p_k - b_k p_{k-1}.
            var y = new double[n];
            var w = new double[n];
            for (int k = 0; k < n; k++)
            {
                y[k] = (x[start + k] - mean) / sd;
                w[k] = p[start + k] / mass;
            }

            var alpha = new double[points];
            var beta = new double[points];
            var previous = new double[n];
            var current = new double[n];
            for (int k = 0; k < n; k++) current[k] = 1;
            double normPrevious = 1;
            for (int step = 0; step < points; step++)
            {
                double norm = 0, moment = 0;
                for (int k = 0; k < n; k++)
                {
                    double c2 = w[k] * current[k] * current[k];
                    norm += c2;
                    moment += c2 * y[k];
                }

                if (!(norm > 1e-300)) return false;
                alpha[step] = moment / norm;
                beta[step] = step == 0 ? 1 : norm / normPrevious;
                if (step > 0 && !(beta[step] > 0)) return false;
                for (int k = 0; k < n; k++)
                {
                    double next = (y[k] - alpha[step]) * current[k] - (step == 0 ? 0 : beta[step] * previous[k]);
                    previous[k] = current[k];
                    current[k] = next;
                }

                normPrevious = norm;
            }

            var offDiagonal = new double[points - 1];
            for (int j = 0; j + 1 < points; j++) offDiagonal[j] = Math.Sqrt(beta[j + 1]);
            ConcentratedDerivativeLaws.JacobiRule(alpha, offDiagonal, mass, out var nodes, out var weights);
            for (int j = 0; j < points; j++) nodes[j] = mean + sd * nodes[j];
            double low = x[start], high = x[end - 1];
            for (int j = 0; j < points; j++)
            {
                // Gauss nodes lie strictly inside the run's hull; a node outside it (round-off) fails the rule.
                if (!(nodes[j] >= low * (1 - 1e-12) && nodes[j] <= high * (1 + 1e-12)) || !(weights[j] > 0)) return false;
                values.Add(nodes[j]);
                masses.Add(weights[j]);
            }

            return true;
        }
    }
}
