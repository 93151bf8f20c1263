using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.Laws
{
    /// <summary>
    /// Replaces the discretised D^2 laws that are nearly point masses (normalised variance v_l = Var / mean^2 small) by
    /// one law of a few atoms per width ratio: the Gauss rule of their free multiplicative convolution. The other layers
    /// of the group become unit atoms, which the master equation takes in closed form.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Layers with the same r_l = N_0 / N_l enter the master equation through prod_l w M_{nu_l}^{-1}(w) at w = r_l m, and
    /// w M_nu^{-1}(w) = (1 + w) / S_nu(w) (Chhaibi et al. 2022, Thm 2.3; docs/engine/README.md). So a group of n such layers
    /// contributes (1 + w)^{n-1} (1 + w) / S_mu(w) with S_mu = prod S_{nu_l}: the law mu = nu_1 boxtimes ... boxtimes nu_n
    /// in one layer and unit atoms (delta_1, whose factor is 1 + w) in the others. Free multiplicative convolution is
    /// commutative, so the layers need not be consecutive.
    /// </para>
    /// <para>
    /// mu is replaced by its K-point Gauss rule, which has its moments up to order 2K - 1: K = 2 below a total normalised
    /// variance V = sum_l v_l of 1e-2 (closed form: for laws of mean 1, S(u) = 1 - v u + (2 v^2 - k_3) u^2 + O(u^3), so the
    /// product has variance V and third central moment sum_l k_3,l + 3 sum_{l &lt; k} v_l v_k), otherwise K = 3, 4 or 8
    /// (V below 3e-2, 0.1, above) from the product of the S-transform series (Golub-Welsch on the standardised moments).
    /// The moments of J^T J up to order 2K - 1 are therefore unchanged (tested to round-off). Measured on 20 x Linear(256)
    /// TorchSharp defaults with K = 16 against no pooling, budget 0.3: deciles within 3.8e-6 (tanh), 2.1e-6 (sigmoid),
    /// 3e-8 (GELU), 4e-7 (SiLU), 2.7e-7 (softplus) in level (tanh with K = 48: 2.8e-6); budget 1 moved them by up to 1.5e-3 (SiLU), so the default
    /// is 0.3. Typical groups: tanh and sigmoid at their small-q fixed points (q* ~ 0.002 and 0.09, v ~ 8 q*^2 and q*^2 / 2),
    /// GELU and SiLU (v ~ 10 q* and 4 q* at q* = 0.0014).
    /// </para>
    /// </remarks>
    internal static class ConcentratedDerivativeLaws
    {
        /// <summary>
        /// The laws the master equation is built from: those with normalised variance at most <paramref name="varianceBudget"/>
        /// (no inactive units, several atoms), grouped by width ratio, pooled in ascending order of variance while the
        /// group's total variance stays within the budget, when the pooled law has fewer atoms than the laws it replaces.
        /// Returns <paramref name="laws"/> itself when nothing is pooled.
        /// </summary>
        public static IReadOnlyList<DerivativeLaw> Pool(NetworkArchitecture network, IReadOnlyList<DerivativeLaw> laws, double varianceBudget)
        {
            if (!(varianceBudget > 0)) return laws;
            // Without a Gaussian layer nothing smooths the pooled law: with orthogonal weights throughout, the free
            // product of a few-atom law and unit atoms is those few atoms (20 x 256 orthogonal sigmoid on TorchSharp's
            // defaults: pooled, a density integrating to 2.1; unpooled, within the mass check).
            bool smoothed = false;
            foreach (var layer in network.Layers) smoothed |= layer.Weights == WeightDistribution.Gaussian;
            if (!smoothed) return laws;
            double n0 = network.WidthProfile[0];
            var candidates = new List<(int Layer, double Ratio, double Variance, double Third)>();
            for (int l = 0; l < laws.Count; l++)
            {
                var law = laws[l];
                if (law.IsExact || law.ZeroMass != 0 || law.Values.Length < 2) continue;
                CentralMoments(law, out double v, out double k3);
                if (v <= varianceBudget) candidates.Add((l, n0 / network.WidthProfile[l + 1], v, k3));
            }

            if (candidates.Count == 0) return laws;
            DerivativeLaw[]? pooled = null;
            foreach (var group in candidates.GroupBy(c => c.Ratio))
            {
                // Laws the master equation takes as one factor with a multiplicity (layers at the same q, to its grouping
                // tolerance) are pooled all together or not at all.
                var blocks = new List<List<(int Layer, double Ratio, double Variance, double Third)>>();
                foreach (var c in group)
                {
                    var block = blocks.Find(b => SameLaw(laws[b[0].Layer], laws[c.Layer], Inversion.MasterEquation.GroupingTolerance));
                    if (block != null) block.Add(c);
                    else blocks.Add(new List<(int Layer, double Ratio, double Variance, double Third)> { c });
                }

                var members = new List<(int Layer, double Ratio, double Variance, double Third)>();
                double total = 0;
                int atoms = 0;
                foreach (var block in blocks.OrderBy(b => b[0].Variance))
                {
                    double share = block[0].Variance * block.Count;
                    if (total + share > varianceBudget) break;
                    total += share;
                    atoms += laws[block[0].Layer].Values.Length;
                    members.AddRange(block);
                }

                // Worth it only when the pooled atoms replace more atoms than that.
                if (members.Count == 0 || atoms <= (total < ThreePointVariance ? 2 : PooledAtoms(total))) continue;
                var law = total < ThreePointVariance ? TwoPointLaw(members, laws, total) : GaussRuleOfFreeProduct(members.Select(c => laws[c.Layer]).ToList(), PooledAtoms(total));
                if (law == null) continue;
                pooled ??= laws.ToArray();
                pooled[members[0].Layer] = law;
                for (int k = 1; k < members.Count; k++) pooled[members[k].Layer] = DerivativeLaw.UnitAtom;
            }

            return pooled ?? laws;
        }

        /// <summary>The same factor for the master equation (normalised atoms and masses within its grouping tolerance).</summary>
        internal static bool SameLaw(DerivativeLaw a, DerivativeLaw b, double tolerance)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a.Values.Length != b.Values.Length) return false;
            for (int j = 0; j < a.Values.Length; j++)
            {
                double x = a.Values[j] / a.Mean, y = b.Values[j] / b.Mean;
                if (!(Math.Abs(x - y) <= tolerance * x) || !(Math.Abs(a.Masses[j] - b.Masses[j]) <= tolerance * a.Masses[j])) return false;
            }

            return true;
        }

        /// <summary>Total variance from which a group is pooled into three or more atoms instead of two.</summary>
        internal const double ThreePointVariance = 1e-2;

        /// <summary>Atoms of the pooled law for a group of total variance V &gt;= 1e-2: 3 below 3e-2, 4 below 0.1, 6 above (11 moments kept).</summary>
        internal static int PooledAtoms(double variance) => variance < 3e-2 ? 3 : variance < 0.1 ? 4 : 8;

        private static DerivativeLaw? TwoPointLaw(List<(int Layer, double Ratio, double Variance, double Third)> members, IReadOnlyList<DerivativeLaw> laws, double total)
        {
            // Free product of the normalised laws: V = sum v, K3 = sum k3 + 3 sum_{l<k} v_l v_k; mean = product of means.
            double sumSquares = 0, third = 0, logMean = 0;
            foreach (var c in members)
            {
                sumSquares += c.Variance * c.Variance;
                third += c.Third;
                logMean += Math.Log(laws[c.Layer].Mean);
            }

            third += 1.5 * (total * total - sumSquares);
            return TwoPointLaw(Math.Exp(logMean), total, third);
        }

        /// <summary>
        /// The <paramref name="points"/>-point Gauss rule of the free product of <paramref name="group"/>: the moments of
        /// each law over its mean give its S-transform series (S(u) = (1 + u) chi(u) / u, chi the inverse of
        /// psi(w) = sum_k m_k w^k), the series multiply, and the product's moments m_1..m_{2K-1} give the rule (Golub and
        /// Welsch 1969: Cholesky of the Hankel matrix of the standardised moments, eigenvalues of the Jacobi matrix).
        /// Null when the moments are not those of a law with K positive atoms (round-off at tiny variances).
        /// </summary>
        internal static DerivativeLaw? GaussRuleOfFreeProduct(IReadOnlyList<DerivativeLaw> group, int points)
        {
            int order = 2 * points; // moments m_0..m_{2K-1}
            var product = new double[order];
            product[0] = 1;
            double logMean = 0;
            foreach (var law in group)
            {
                logMean += Math.Log(law.Mean);
                var psi = new double[order];
                for (int j = 0; j < law.Values.Length; j++)
                {
                    double x = law.Values[j] / law.Mean, power = 1;
                    for (int k = 1; k < order; k++)
                    {
                        power *= x;
                        psi[k] += law.Masses[j] * power;
                    }
                }

                var chi = Transforms.PowerSeries.Revert(psi);
                // S(u) = (1 + u) chi(u) / u: chi starts at u.
                var s = new double[order];
                for (int k = 0; k + 1 < order; k++) s[k] = chi[k + 1] + (k > 0 ? chi[k] : 0);
                product = Transforms.PowerSeries.Multiply(product, s);
            }

            // chi(u) = u S(u) / (1 + u), psi = chi^{-1}: the moments of the product (mean 1).
            var chiProduct = new double[order];
            var inverseOnePlus = new double[order];
            for (int k = 0; k < order; k++) inverseOnePlus[k] = k % 2 == 0 ? 1 : -1;
            var ratio = Transforms.PowerSeries.Multiply(product, inverseOnePlus);
            for (int k = 1; k < order; k++) chiProduct[k] = ratio[k - 1];
            var moments = Transforms.PowerSeries.Revert(chiProduct);
            moments[0] = 1;

            // Standardised moments of y = (x - 1) / sd, from the raw moments by the binomial formula.
            double variance = moments[2] - 1;
            if (!(variance > 0)) return null;
            double sd = Math.Sqrt(variance);
            var mu = new double[order];
            for (int k = 0; k < order; k++)
            {
                double sum = 0, binomial = 1;
                for (int i = 0; i <= k; i++)
                {
                    sum += binomial * moments[i] * ((k - i) % 2 == 0 ? 1 : -1);
                    binomial = binomial * (k - i) / (i + 1);
                }

                mu[k] = sum / Math.Pow(sd, k);
            }

            if (!GaussRule(mu, points, out var nodes, out var weights)) return null;
            double mean = Math.Exp(logMean);
            var values = new double[points];
            for (int j = 0; j < points; j++)
            {
                double x = 1 + sd * nodes[j];
                if (!(x > 0) || !(weights[j] > 0)) return null;
                values[j] = mean * x;
            }

            return DerivativeLaw.Discretised(values, weights);
        }

        /// <summary>Gauss rule of K nodes from the moments mu_0..mu_{2K-1} (Golub-Welsch); false when the Hankel matrix is not positive definite.</summary>
        private static bool GaussRule(double[] mu, int points, out double[] nodes, out double[] weights)
        {
            nodes = weights = Array.Empty<double>();
            int n = points + 1;
            // Upper Cholesky factor R of the Hankel matrix H_ij = mu_{i+j}, rows 0..K-1, columns 0..K.
            var r = new double[n, n];
            for (int i = 0; i < points; i++)
            {
                double diagonal = mu[2 * i];
                for (int k = 0; k < i; k++) diagonal -= r[k, i] * r[k, i];
                if (!(diagonal > 1e-12)) return false;
                r[i, i] = Math.Sqrt(diagonal);
                for (int j = i + 1; j < n; j++)
                {
                    double sum = mu[i + j];
                    for (int k = 0; k < i; k++) sum -= r[k, i] * r[k, j];
                    r[i, j] = sum / r[i, i];
                }
            }

            var alpha = new double[points];
            var beta = new double[points - 1];
            for (int j = 0; j < points; j++)
            {
                alpha[j] = r[j, j + 1] / r[j, j] - (j > 0 ? r[j - 1, j] / r[j - 1, j - 1] : 0);
                if (j + 1 < points) beta[j] = r[j + 1, j + 1] / r[j, j];
            }

            JacobiRule(alpha, beta, mu[0], out nodes, out weights);
            return true;
        }

        /// <summary>
        /// Nodes (ascending) and weights of the Gauss rule of the symmetric tridiagonal Jacobi matrix with this diagonal
        /// and off-diagonal: its eigenvalues, and <paramref name="mass"/> times the squared first components of its
        /// eigenvectors (Golub and Welsch 1969).
        /// </summary>
        internal static void JacobiRule(double[] diagonal, double[] offDiagonal, double mass, out double[] nodes, out double[] weights)
        {
            int points = diagonal.Length;
            var jacobi = new MathNet.Numerics.LinearAlgebra.Double.DenseMatrix(points, points);
            for (int j = 0; j < points; j++)
            {
                jacobi[j, j] = diagonal[j];
                if (j + 1 < points)
                {
                    jacobi[j, j + 1] = offDiagonal[j];
                    jacobi[j + 1, j] = offDiagonal[j];
                }
            }

            var evd = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
            nodes = new double[points];
            weights = new double[points];
            for (int j = 0; j < points; j++)
            {
                nodes[j] = evd.EigenValues[j].Real;
                double v = evd.EigenVectors[0, j];
                weights[j] = mass * v * v;
            }

            Array.Sort(nodes, weights);
        }

        /// <summary>Variance and third central moment of a law divided by its mean.</summary>
        internal static void CentralMoments(DerivativeLaw law, out double variance, out double third)
        {
            variance = 0;
            third = 0;
            for (int j = 0; j < law.Values.Length; j++)
            {
                double d = law.Values[j] / law.Mean - 1;
                variance += law.Masses[j] * d * d;
                third += law.Masses[j] * d * d * d;
            }
        }

        /// <summary>
        /// The two-point law with the given mean, normalised variance V and normalised third central moment K3: atoms
        /// mean (1 + sqrt(V) t_+-), t_+- = g/2 +- sqrt(g^2/4 + 1), g = K3 / V^{3/2}, masses -t_-/(t_+ - t_-) and
        /// t_+/(t_+ - t_-). Null when an atom would not be positive.
        /// </summary>
        internal static DerivativeLaw? TwoPointLaw(double mean, double variance, double third)
        {
            if (!(variance > 0)) return null;
            double sd = Math.Sqrt(variance);
            double skew = third / (variance * sd);
            double root = Math.Sqrt(skew * skew / 4 + 1);
            double plus = skew / 2 + root, minus = skew / 2 - root;
            double low = 1 + sd * minus, high = 1 + sd * plus;
            if (!(low > 0) || double.IsNaN(high)) return null;
            double pHigh = -minus / (plus - minus);
            double pLow = plus / (plus - minus);
            return DerivativeLaw.Discretised(new[] { mean * low, mean * high }, new[] { pLow, pHigh });
        }
    }
}
