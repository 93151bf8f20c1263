using System;
using System.Collections.Generic;
using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>
    /// The master equation of the law of J^T J, normalised to mean 1, as a polynomial system in the
    /// moment series m = M(zeta) and one auxiliary unknown per layer whose D^2 law has several non-zero atoms.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With widths N_0..N_L, lambda_l = N_l / N_{l-1}, r_l = N_0 / N_l and nu_l the law of D_l^2, the S-transforms
    /// of the rectangular factors (Marchenko-Pastur for Gaussian W, a scaled projection for orthogonal W) multiply
    /// with the width ratios as in Chhaibi et al. (2022, Thm 2.3) and give
    /// M^{-1}(m) = ((1 + m) / m) prod_l kappa_l omega_l(r_l m) M_{nu_l}^{-1}(r_l m) r_l m,
    /// kappa_l = sigma_l^2 lambda_l (Gaussian) or sigma_l^2 min(1, lambda_l) (orthogonal),
    /// omega_l(w) = 1 (Gaussian) or 1 / (1 + min(1, lambda_l) w) (orthogonal).
    /// Dividing by the mean m_1 = prod_l kappa_l E[nu_l] (zeta = z / m_1) and writing
    /// M_{nu}^{-1}(w) = E[nu] / (w u) with u Phi(rho w u / r) = 1, Phi(s) = sum_j (p_j c_j / E[nu]) / (1 - c_j s):
    /// </para>
    /// <para>
    /// E_0 = A(m) / zeta - m B(m) prod_i u_i^{n_i} = 0, A(m) = (1 + m) prod_{single-atom layers} (1 + (r_l / p_l) m),
    /// B(m) = prod_{orthogonal layers} (1 + min(1, lambda_l) r_l m), and for each multi-atom layer (grouped when
    /// identical, multiplicity n_i) E_i = u_i Phi_i(rho_i m u_i) - 1 = 0 with rho_i = r_i / E[nu_i].
    /// Layers with one non-zero atom (ReLU, hard tanh, identity...) have u = 1 / (1 + (r/p) m) in closed form and
    /// enter A; with no multi-atom layer the system is the single polynomial phi_zeta(m) = A(m) / zeta - m B(m).
    /// As zeta -&gt; infinity the solution tends to m = 0, u_i = 1, the proxy of the lilypad method.
    /// </para>
    /// </remarks>
    internal sealed class MasterEquation
    {
        private readonly double[] _a;      // A(m) = prod (1 + a_k m)^{ka_k}
        private readonly int[] _ka;
        private readonly double[] _e;      // B(m) = prod (1 + e_k m)^{ke_k}
        private readonly int[] _ke;
        private readonly double[] _rho;    // multi-atom unknowns
        private readonly int[] _mult;
        private readonly double[][] _c;    // atoms c_ij
        private readonly double[][] _pi;   // normalised weights p_ij c_ij / E[nu_i], summing to 1
        private readonly Complex[] _cJac, _dJac, _diag, _residual, _step;
        private readonly double[] _bound, _weight, _enclosure;
        private readonly double _mScale;
        // |g_i - c_ij rho_i m| per atom at the last centre: the reduced test's (from its first evaluation of f, reused by
        // the enclosures and the pole distances) or the system test's (from NewtonStep, reused by Scales and
        // LipschitzBound); dE_i/dg per layer at the reduced test's centre; g_i'(m) at the last evaluation of f (the
        // slopes, which also start the g_i of the next Newton iterate at g_i + g_i' h); per layer the level k of the disc
        // last enclosed (radius 0.5 / 4^k of the pole distance), where the next test starts its search one level up.
        private readonly double[][] _distance;
        private readonly Complex[] _dgCentre, _slope;
        private readonly int[] _encloseLevel;

        // Work buffers (one equation object per thread).

        private MasterEquation(List<(double a, int k)> a, List<(double e, int k)> e, List<GeneralFactor> general, double rankFraction, double mean)
        {
            _a = new double[a.Count];
            _ka = new int[a.Count];
            for (int i = 0; i < a.Count; i++) (_a[i], _ka[i]) = a[i];
            _e = new double[e.Count];
            _ke = new int[e.Count];
            for (int i = 0; i < e.Count; i++) (_e[i], _ke[i]) = e[i];
            int n = general.Count;
            _rho = new double[n];
            _mult = new int[n];
            _c = new double[n][];
            _pi = new double[n][];
            double scale = 1;
            for (int i = 0; i < n; i++)
            {
                var g = general[i];
                _rho[i] = g.Rho;
                _mult[i] = g.Multiplicity;
                _c[i] = g.Atoms;
                _pi[i] = g.Weights;
                scale = Math.Max(scale, g.Rho * g.Atoms[g.Atoms.Length - 1]);
            }

            foreach (var x in _a) scale = Math.Max(scale, x);
            foreach (var x in _e) scale = Math.Max(scale, x);
            _mScale = 1 / scale;
            _cJac = new Complex[n];
            _dJac = new Complex[n];
            _diag = new Complex[n];
            _residual = new Complex[n + 1];
            _step = new Complex[n + 1];
            _bound = new double[n];
            _enclosure = new double[n];
            _distance = new double[n][];
            for (int i = 0; i < n; i++) _distance[i] = new double[_c[i].Length];
            _dgCentre = new Complex[n];
            _slope = new Complex[n];
            _encloseLevel = new int[n];
            _weight = new double[n + 1];
            RankFraction = rankFraction;
            Mean = mean;
        }

        /// <summary>Number of unknowns: m plus one per distinct multi-atom layer.</summary>
        public int Dimension => 1 + _rho.Length;

        /// <summary>1 - atom at zero of J^T J: min(1, min_l alpha_l N_l / N_0).</summary>
        public double RankFraction { get; }

        /// <summary>m_1 = mean of the law of J^T J; zeta = z / m_1.</summary>
        public double Mean { get; }

        /// <summary>True when the system is the single rational equation of Chhaibi et al.</summary>
        public bool IsRational => _rho.Length == 0;


        internal readonly struct GeneralFactor
        {
            public GeneralFactor(double rho, int multiplicity, double[] atoms, double[] weights)
            {
                Rho = rho;
                Multiplicity = multiplicity;
                Atoms = atoms;
                Weights = weights;
            }

            public double Rho { get; }
            public int Multiplicity { get; }
            public double[] Atoms { get; }
            public double[] Weights { get; }
        }

        /// <summary>Builds the master equation from per-layer D^2 laws.</summary>
        public static MasterEquation Create(NetworkArchitecture network, IReadOnlyList<DerivativeLaw> laws, double groupingTolerance = GroupingTolerance)
        {
            int depth = network.Depth;
            double n0 = network.WidthProfile[0];
            var a = new List<(double, int)>();
            var e = new List<(double, int)>();
            var general = new List<GeneralFactor>();
            double rank = 1;
            double logMean = 0;
            AddFactor(a, 1.0);
            for (int l = 0; l < depth; l++)
            {
                var layer = network.Layers[l];
                var law = laws[l];
                double nPrev = network.WidthProfile[l];
                double nl = network.WidthProfile[l + 1];
                double lambda = nl / nPrev;
                double r = n0 / nl;
                double active = 1 - law.ZeroMass;
                rank = Math.Min(rank, active / r);
                bool orthogonal = layer.Weights == WeightDistribution.Orthogonal;
                double kappa = layer.WeightVariance * (orthogonal ? Math.Min(1, lambda) : lambda);
                logMean += Math.Log(kappa) + Math.Log(law.Mean);
                if (orthogonal) AddFactor(e, Math.Min(1, lambda) * r);
                if (law.IsSingleAtom)
                {
                    AddFactor(a, r / active);
                    continue;
                }

                var atoms = (double[])law.Values.Clone();
                var weights = new double[atoms.Length];
                for (int j = 0; j < atoms.Length; j++) weights[j] = law.Masses[j] * atoms[j] / law.Mean;
                double rho = r / law.Mean;
                int existing = general.FindIndex(g => SameAtoms(g, rho, atoms, weights, groupingTolerance));
                if (existing >= 0)
                {
                    var g = general[existing];
                    general[existing] = new GeneralFactor(g.Rho, g.Multiplicity + 1, g.Atoms, g.Weights);
                }
                else
                {
                    general.Add(new GeneralFactor(rho, 1, atoms, weights));
                }
            }

            double mean = Math.Exp(logMean);
            CancelCommonFactors(a, e);
            return new MasterEquation(a, e, general, rank, mean);
        }

        /// <summary>
        /// Removes the linear factors that A and B share (with multiplicity). An orthogonal layer with lambda &gt;= 1 after
        /// an all-active one (identity, hard sine; the first layer's 1 + m when lambda_1 &lt;= 1) puts the same factor
        /// 1 + c m in both, so m = -1/c solves E_0 at every zeta: a spurious root (G = (m + rank) / zeta is real there)
        /// that lies next to the physical one near zeta = 0, where the chained walk could be certified onto it and follow
        /// it with a density of zero (seed 106869: 15-15 orthogonal identity output layer, a silent law of mass 0).
        /// Cancelling it leaves every other root, the moments (which see A / B) and the top atom's residue unchanged.
        /// </summary>
        private static void CancelCommonFactors(List<(double a, int k)> a, List<(double e, int k)> e)
        {
            for (int j = e.Count - 1; j >= 0; j--)
            {
                int i = a.FindIndex(f => Math.Abs(f.a - e[j].e) <= CommonFactorTolerance * e[j].e);
                if (i < 0) continue;
                int common = Math.Min(a[i].k, e[j].k);
                a[i] = (a[i].a, a[i].k - common);
                e[j] = (e[j].e, e[j].k - common);
                if (a[i].k == 0) a.RemoveAt(i);
                if (e[j].k == 0) e.RemoveAt(j);
            }
        }

        /// <summary>Relative tolerance to which a factor of A and one of B count as the same (the products of width ratios that give them differ in the last bits).</summary>
        private const double CommonFactorTolerance = 1e-13;

        private static void AddFactor(List<(double, int)> list, double coefficient)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i].Item1 == coefficient)
                {
                    list[i] = (coefficient, list[i].Item2 + 1);
                    return;
                }
            }

            list.Add((coefficient, 1));
        }

        /// <summary>
        /// Relative tolerance to which two layers' factors E_i (atoms c_ij rho_i, weights pi_ij) count as the same and are
        /// grouped. The q_l of layers approaching the fixed point q* differ by amounts that shrink geometrically (softplus on
        /// TorchSharp defaults: consecutive q_l by 4e-10 relative at layer 12, by 1e-16 at layer 19), so exact equality groups
        /// almost none of them; grouping at 1e-10 changes the normalised law by that much, far below the discretisation
        /// error, while each layer's own mean still enters m_1 exactly.
        /// </summary>
        internal const double GroupingTolerance = 1e-10;

        private static bool SameAtoms(GeneralFactor g, double rho, double[] atoms, double[] weights, double tolerance)
        {
            if (g.Atoms.Length != atoms.Length) return false;
            for (int j = 0; j < atoms.Length; j++)
            {
                double a = g.Atoms[j] * g.Rho, b = atoms[j] * rho;
                if (!(Math.Abs(a - b) <= tolerance * a) || !(Math.Abs(g.Weights[j] - weights[j]) <= tolerance * g.Weights[j])) return false;
            }

            return true;
        }

        /// <summary>The solution at zeta = infinity: m = 0, g_i = 1.</summary>
        public void Proxy(Complex[] y)
        {
            y[0] = Complex.Zero;
            for (int i = 1; i < y.Length; i++) y[i] = Complex.One;
        }

        /// <summary>
        /// Kantorovich test at <paramref name="start"/> for the equation at <paramref name="zeta"/>; when it passes,
        /// Newton-Raphson from there, which then provably converges, writes the root into <paramref name="solution"/>.
        /// </summary>
        /// <returns>False when the basin test fails (nothing is written).</returns>
        /// <exception cref="SpectralConvergenceException">Newton did not settle although the test passed (round-off floor).</exception>
        public bool TryCertifiedSolve(Complex zeta, Complex[] start, Complex[] solution, double tolerance, int maxIterations)
        {
            return IsRational
                ? TryCertifiedSolveScalar(zeta, start, solution, tolerance, maxIterations)
                : TryCertifiedSolveReduced(zeta, start, solution, tolerance, maxIterations)
                  || TryCertifiedSolveSystem(zeta, start, solution, tolerance, maxIterations);
        }

        // ---- scalar (rational) case: phi(m) = A(m)/zeta - m B(m) ----

        private bool TryCertifiedSolveScalar(Complex zeta, Complex[] start, Complex[] solution, double tolerance, int maxIterations)
        {
            Complex m0 = start[0];
            Complex invZeta = Complex.One / zeta;
            // One pass gives phi, phi' at m0 and the majorants on the disc of radius R = the last test's radius x 4 (a guess).
            double guess = _radiusGuess;
            ValueAndBound(invZeta, m0, guess, out Complex f, out Complex df, out Complex pa, out double kGuess);
            if (df == Complex.Zero) return false;
            Complex h = -f / df;
            double hAbs = ComplexModulus.Of(h);
            // Kantorovich: |phi''| <= K on the ball of radius 2|h| around m0 (which contains the ball of radius |h| around m0 + h).
            // The bound on the guessed disc is valid when that disc contains this one; where it is too loose to pass, the test is
            // repeated with the bound on the disc of radius 2|h| itself, so the outcome is that of the exact-radius test.
            double dfAbs0 = ComplexModulus.Of(df);
            double k = kGuess;
            _radiusGuess = 8 * hAbs;
            if (!(2 * hAbs <= guess && hAbs * k <= 0.5 * dfAbs0))
            {
                k = SecondDerivativeBound(invZeta, m0, 2 * hAbs);
                if (!(hAbs * k <= 0.5 * dfAbs0)) return false;
            }

            // Newton from the certified start. The iterates and the root stay in the ball where K bounds |phi''|, so after
            // a step h from m the Taylor remainder gives |root - (m + h)| <= 2 K |h|^2 / |phi'(m)|: stop as soon as that
            // bound is below the tolerance, without one more evaluation.
            Complex m = m0;
            for (int it = 0; ; it++)
            {
                m += h;
                double scale = ComplexModulus.Of(m) + _mScale;
                double dfAbs = ComplexModulus.Of(df);
                if (hAbs <= tolerance * scale || (2 * k * hAbs <= dfAbs && 2 * k * hAbs * hAbs <= tolerance * scale * dfAbs)) break;
                if (it == maxIterations)
                    throw new SpectralConvergenceException($"Newton did not reach tolerance {tolerance:g3} in {maxIterations} iterations at zeta = {zeta}.");
                ScalarValue(invZeta, m, out f, out df, out pa);
                if (df == Complex.Zero)
                    throw new SpectralConvergenceException($"phi' vanished at zeta = {zeta} after a passed basin test.");
                h = -f / df;
                double size = ComplexModulus.Of(h);
                if (size >= hAbs && size < 1e-9 * scale)
                {
                    // Round-off floor: the last iterate is as good as double precision allows.
                    break;
                }

                hAbs = size;
            }

            // The tangent at the root, from the last evaluation (close to the root), for the next predictor.
            _tangentZeta = zeta;
            _tangentM = m;
            _tangent = pa * invZeta * invZeta / df;
            solution[0] = m;
            return true;
        }

        private Complex _tangentZeta, _tangentM, _tangent;

        /// <summary>dm/dzeta on the rational branch at (zeta, m): -(d phi/d zeta) / (d phi/d m), phi = A(m)/zeta - m B(m).</summary>
        /// <remarks>Reuses the value from the last certified solve when (zeta, m) is its root (the usual case in a walk).</remarks>
        public Complex RationalTangent(Complex zeta, Complex m)
        {
            if (zeta == _tangentZeta && m == _tangentM) return _tangent;
            Complex invZeta = Complex.One / zeta;
            ScalarValue(invZeta, m, out _, out Complex df, out Complex pa);
            return pa * invZeta * invZeta / df;
        }

        private void ScalarValue(Complex invZeta, Complex m, out Complex f, out Complex df, out Complex pa)
        {
            Product(_a, _ka, m, out pa, out Complex pa1);
            Product(_e, _ke, m, out Complex pb, out Complex pb1);
            f = pa * invZeta - m * pb;
            df = pa1 * invZeta - (pb + m * pb1);
        }

        private double _radiusGuess;

        private void ValueAndBound(Complex invZeta, Complex m, double radius, out Complex f, out Complex df, out Complex pa, out double k)
        {
            FusedProduct(_a, _ka, m, radius, out pa, out Complex pa1, out _, out _, out double a2);
            FusedProduct(_e, _ke, m, radius, out Complex pb, out Complex pb1, out _, out double b1, out double b2);
            f = pa * invZeta - m * pb;
            df = pa1 * invZeta - (pb + m * pb1);
            double mAbs = ComplexModulus.Of(m) + radius;
            k = a2 * ComplexModulus.Of(invZeta) + 2 * b1 + mAbs * b2;
        }

        /// <summary><see cref="Product"/> and <see cref="Majorant"/> at the same point in one pass (two independent chains).</summary>
        private static void FusedProduct(double[] a, int[] k, Complex m, double radius, out Complex f, out Complex f1, out double g, out double g1, out double g2)
        {
            double mr = m.Real, mi = m.Imaginary;
            double fr = 1, fi = 0, dr = 0, di = 0;
            double p = 1, p1 = 0, p2 = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double b = a[i];
                double gr = 1 + b * mr, gi = b * mi;
                double ab = Math.Abs(b);
                double norm = gr * gr + gi * gi;
                double gm = (norm > 1e-300 && norm < 1e300 ? Math.Sqrt(norm) : Complex.Abs(new Complex(gr, gi))) + ab * radius;
                int n = k[i];
                if (n == 1)
                {
                    double ndr = dr * gr - di * gi + fr * b;
                    double ndi = dr * gi + di * gr + fi * b;
                    double nfr = fr * gr - fi * gi;
                    fi = fr * gi + fi * gr;
                    fr = nfr;
                    dr = ndr;
                    di = ndi;
                    double np2 = p2 * gm + 2 * p1 * ab;
                    p1 = p1 * gm + p * ab;
                    p *= gm;
                    p2 = np2;
                }
                else
                {
                    Factor(b, n, mr, mi, ref fr, ref fi, ref dr, ref di);
                    MajorantFactor(b, n, mr, mi, radius, ref p, ref p1, ref p2);
                }
            }

            f = new Complex(fr, fi);
            f1 = new Complex(dr, di);
            g = p;
            g1 = p1;
            g2 = p2;
        }

        private double SecondDerivativeBound(Complex invZeta, Complex m0, double radius)
        {
            Majorant(_a, _ka, m0, radius, out _, out _, out double a2);
            Majorant(_e, _ke, m0, radius, out _, out double b1, out double b2);
            double mAbs = ComplexModulus.Of(m0) + radius;
            // C(m) = m B(m): C'' = 2 B' + m B''.
            return a2 * ComplexModulus.Of(invZeta) + 2 * b1 + mAbs * b2;
        }

        // ---- general case: scalar Newton on f(m) = A(m) prod g_i(m)^{n_i} / zeta - m B(m) ----
        //
        // g_i(m) is the root of E_i(g; m) = sum_j pi_ij / (g - c_ij rho_i m) - 1 continued from g_i(0) = 1. The basin test
        // is the one-dimensional Kantorovich test of the rational case, with |f''| bounded on the disc |m - m0| <= R from
        // an enclosure |g_i(m) - g_i(m0)| <= delta_i on the larger disc |m - m0| <= 2R (itself certified by a uniform
        // Kantorovich test of E_i in g) and Cauchy estimates for g_i' and g_i''.

        private bool TryCertifiedSolveReduced(Complex zeta, Complex[] start, Complex[] solution, double tolerance, int maxIterations)
        {
            int n = _rho.Length;
            Complex m0 = start[0];
            Complex invZeta = Complex.One / zeta;
            ReducedValue(invZeta, m0, start, out Complex f, out Complex df, keepCentre: true);
            if (df == Complex.Zero || double.IsNaN(df.Real)) return false;
            Complex h = -f / df;
            double hAbs = ComplexModulus.Of(h);
            double radius = 2 * hAbs;

            // Enclose each g_i on a disc as large as certifiable (up to half the distance, in m, to its nearest pole),
            // then bound g_i, g_i', g_i'' on the disc of radius R: Cauchy for g'', Taylor from the exact g_i'(m0) for g'.
            // The discs tried shrink by 4 from 0.5 x the pole distance; a test starts one size above the disc its
            // layer had in the last test (a disc that fails stays failed when larger: the enclosure's conditions are
            // monotone in the radius), so the largest certifiable disc is still found unless it grew by two sizes.
            Majorant(_a, _ka, m0, radius, out double v0, out double v1, out double v2);
            for (int i = 0; i < n; i++)
            {
                Complex gi = start[1 + i];
                double slope = ComplexModulus.Of(_slope[i]);
                double reach = PoleDistance(i);
                double d0 = ComplexModulus.Of(_dgCentre[i]);
                double delta = double.NaN, outer = 0;
                int level = Math.Max(0, _encloseLevel[i] - 1);
                double fraction = 0.5;
                for (int shrink = 0; shrink < level; shrink++) fraction *= 0.25;
                for (; ; fraction *= 0.25, level++)
                {
                    outer = Math.Max(fraction * reach, 2 * radius);
                    if (Enclose(i, _distance[i], d0, outer, out delta)) break;
                    delta = double.NaN;
                    if (outer <= 2 * radius) break;
                }

                _encloseLevel[i] = level;
                if (double.IsNaN(delta)) return false;
                _enclosure[i] = delta;
                double gap = outer - radius;
                double g2 = 2 * delta / (gap * gap);
                double g1 = slope + radius * g2;
                double g0 = ComplexModulus.Of(gi) + radius * g1;
                PowerBound(g0, g1, g2, _mult[i], out double p0, out double p1, out double p2);
                double n2 = v2 * p0 + 2 * v1 * p1 + v0 * p2;
                v1 = v1 * p0 + v0 * p1;
                v0 *= p0;
                v2 = n2;
            }

            Majorant(_e, _ke, m0, radius, out _, out double b1, out double b2);
            double k = v2 * ComplexModulus.Of(invZeta) + 2 * b1 + (ComplexModulus.Of(m0) + radius) * b2;
            if (!(hAbs * k <= 0.5 * ComplexModulus.Of(df))) return false;

            // Newton on f; every iterate stays in the disc of radius R, where each g_i is the unique root near g_i(m0).
            Array.Copy(start, solution, n + 1);
            Complex m = m0 + h;
            double previous = hAbs;
            for (int it = 0; it < maxIterations; it++)
            {
                for (int i = 0; i < n; i++) solution[1 + i] = SolveGInDisc(i, m, start[1 + i], solution[1 + i] + _slope[i] * h);
                double scale = ComplexModulus.Of(m) + _mScale;
                if (previous <= tolerance * scale) break;
                ReducedValue(invZeta, m, solution, out f, out df);
                if (df == Complex.Zero)
                    throw new SpectralConvergenceException($"f' vanished at zeta = {zeta} after a passed basin test.");
                h = -f / df;
                m += h;
                double size = ComplexModulus.Of(h);
                if (size <= tolerance * scale || (size >= previous && size < 1e-9 * scale))
                {
                    for (int i = 0; i < n; i++) solution[1 + i] = SolveGInDisc(i, m, start[1 + i], solution[1 + i] + _slope[i] * h);
                    break;
                }

                previous = size;
                if (it == maxIterations - 1)
                    throw new SpectralConvergenceException($"Newton did not reach tolerance {tolerance:g3} in {maxIterations} iterations at zeta = {zeta}.");
            }

            solution[0] = m;
            return true;
        }

        /// <summary>
        /// f and f' at m, with the g_i already solved at m (in y); g_i' = -dE_i/dm / dE_i/dg, kept in _slope. With
        /// <paramref name="keepCentre"/> the per-layer dE_i/dg and atom distances are kept for the enclosures.
        /// </summary>
        private void ReducedValue(Complex invZeta, Complex m, Complex[] y, out Complex f, out Complex df, bool keepCentre = false)
        {
            Product(_a, _ka, m, out Complex pa, out Complex pa1);
            Product(_e, _ke, m, out Complex pb, out Complex pb1);
            Complex gProduct = Complex.One, logDerivative = Complex.Zero;
            for (int i = 0; i < _rho.Length; i++)
            {
                Complex g = y[1 + i];
                gProduct *= IntPow(g, _mult[i]);
                AtomSums(i, g, m, out _, out Complex dg, out Complex dm, keepCentre ? _distance[i] : null);
                if (keepCentre) _dgCentre[i] = dg;
                Complex slope = -dm / dg;
                _slope[i] = slope;
                logDerivative += _mult[i] * slope / g;
            }

            f = pa * gProduct * invZeta - m * pb;
            df = (pa1 + pa * logDerivative) * gProduct * invZeta - (pb + m * pb1);
        }

        // The per-atom loops below are written in real arithmetic: under netstandard2.0 a double times a Complex is a
        // full complex product with a zero imaginary part (there is no mixed operator), and the JIT kept the Complex
        // accumulators on the stack. Same operations otherwise, so the same values up to the sign of zero terms.

        /// <summary>
        /// The per-atom sums of layer i at (g, m), with u_j = 1 / (g - c_ij rho_i m): E_i = sum_j p_ij u_j - 1,
        /// dE_i/dg = -sum_j p_ij u_j^2 and dE_i/dm = sum_j p_ij c_ij rho_i u_j^2; with <paramref name="distance"/>, also
        /// |g - c_ij rho_i m| per atom.
        /// </summary>
        private void AtomSums(int i, Complex g, Complex m, out Complex value, out Complex dg, out Complex dm, double[]? distance = null)
        {
            var c = _c[i];
            var p = _pi[i];
            double rho = _rho[i];
            double gr = g.Real, gi = g.Imaginary, mr = m.Real, mi = m.Imaginary;
            double vr = -1, vi = 0, dgr = 0, dgi = 0, dmr = 0, dmi = 0;
            for (int j = 0; j < c.Length; j++)
            {
                double a = c[j] * rho;
                double zr = gr - a * mr, zi = gi - a * mi;
                ComplexReciprocal.Of(zr, zi, out double qr, out double qi);
                double w = p[j];
                double pr = w * qr, pi = w * qi;
                vr += pr;
                vi += pi;
                double sr = pr * qr - pi * qi, si = pi * qr + pr * qi; // p u^2
                dgr -= sr;
                dgi -= si;
                dmr += sr * a;
                dmi += si * a;
                if (distance != null) distance[j] = ComplexModulus.Of(zr, zi);
            }

            value = new Complex(vr, vi);
            dg = new Complex(dgr, dgi);
            dm = new Complex(dmr, dmi);
        }

        /// <summary>
        /// Certifies that for every m with |m - m0| &lt;= r the root g_i(m) is unique within delta of g0 = g_i(m0):
        /// Newton in g from g0 has step at most E/D (E bounds |E_i(g0; m)|, D bounds |dE_i/dg(g0; m)| from below) and
        /// the Kantorovich condition holds with the bound K of |d^2E_i/dg^2| on the ball of radius 2E/D. Also gives g_i'(m0).
        /// </summary>
        private bool Enclose(int i, Complex m0, Complex g0, double r, out double delta, out Complex slope)
        {
            AtomSums(i, g0, m0, out _, out Complex d0, out Complex dm, _distance[i]);
            slope = -dm / d0;
            return Enclose(i, _distance[i], ComplexModulus.Of(d0), r, out delta);
        }

        /// <summary>
        /// <see cref="Enclose(int, Complex, Complex, double, out double, out Complex)"/> from the centre's atom distances
        /// |g0 - c_ij rho_i m0| and |dE_i/dg(g0; m0)|; every condition tightens as r grows.
        /// </summary>
        private bool Enclose(int i, double[] distance, double d0, double r, out double delta)
        {
            delta = double.PositiveInfinity;
            var c = _c[i];
            var p = _pi[i];
            double rho = _rho[i];
            double residual = 0, mixed = 0;
            for (int j = 0; j < c.Length; j++)
            {
                double cr = c[j] * rho;
                double gap = distance[j] - cr * r;
                if (!(gap > 0)) return false;
                double inverse = 1 / gap;
                double inverse2 = inverse * inverse;
                residual += p[j] * cr * inverse2;
                mixed += 2 * p[j] * cr * inverse2 * inverse;
            }

            double dLower = d0 - r * mixed;
            if (!(dLower > 0)) return false;
            double step = r * residual / dLower;
            double k = 0;
            for (int j = 0; j < c.Length; j++)
            {
                double gap = distance[j] - c[j] * rho * r - 2 * step;
                if (!(gap > 0)) return false;
                k += 2 * p[j] / (gap * gap * gap);
            }

            double tau = step * k / dLower;
            if (!(tau <= 0.5)) return false;
            // The root lies within (1 - sqrt(1 - 2 tau)) / tau * step of g0 (between step and 2 step).
            delta = tau > 1e-12 ? (1 - Math.Sqrt(1 - 2 * tau)) / tau * step : step;
            return true;
        }

        /// <summary>Distance in m from the reduced test's centre m0 at which some pole c_ij rho_i m of E_i reaches g_i(m0).</summary>
        private double PoleDistance(int i)
        {
            var c = _c[i];
            var distance = _distance[i];
            double rho = _rho[i];
            double d = double.PositiveInfinity;
            for (int j = 0; j < c.Length; j++) d = Math.Min(d, distance[j] / (c[j] * rho));
            return d;
        }

        /// <summary>
        /// Continues the multi-atom unknowns of a solved point (<paramref name="from"/>, at m = from[0]) to m = y[0]: each
        /// g_i is the unique root within the disc that <see cref="Enclose(int, Complex, Complex, double, out double, out Complex)"/>
        /// certifies around g_i(from[0]) for every m at distance |y[0] - from[0]|, found by Newton from the tangent
        /// prediction g_i(from[0]) + g_i'(from[0]) (y[0] - from[0]). Returns false (y partly written) when a disc cannot be
        /// certified or Newton lands outside it; then y must not be used as a start.
        /// </summary>
        internal bool TryContinueBranches(Complex[] from, Complex[] y)
        {
            Complex dm = y[0] - from[0];
            double r = ComplexModulus.Of(dm);
            for (int i = 0; i < _rho.Length; i++)
            {
                if (!Enclose(i, from[0], from[1 + i], r, out double delta, out Complex slope)) return false;
                // Newton from the tangent prediction; the root it finds is accepted only inside the certified disc.
                Complex g = SolveG(i, y[0], from[1 + i] + slope * dm);
                if (!(ComplexModulus.Of(g - from[1 + i]) <= delta * (1 + 1e-9) + 1e-15 * ComplexModulus.Of(g))) return false;
                y[1 + i] = g;
            }

            return true;
        }

        /// <summary>
        /// g_i(m) for an m of the disc certified by the last <see cref="Enclose(int, double[], double, double, out double)"/>
        /// of the reduced test, where the root is unique within _enclosure[i] of <paramref name="centre"/> = g_i(m0): Newton
        /// from <paramref name="near"/> (the previous iterate's g moved along its tangent), accepted when it lands in that
        /// disc (then it is that root); from the centre otherwise.
        /// </summary>
        private Complex SolveGInDisc(int i, Complex m, Complex centre, Complex near)
        {
            if (near != centre)
            {
                Complex g = SolveG(i, m, near);
                if (ComplexModulus.Of(g - centre) <= _enclosure[i]) return g;
            }

            return SolveG(i, m, centre);
        }

        /// <summary>Root of E_i(g; m) by Newton from a start inside its certified basin.</summary>
        /// <remarks>
        /// Its own loop rather than <see cref="AtomSums"/>: the hottest loop of the inversion needs no dE/dm (through
        /// AtomSums the FPT003 model's spectrum took 5% longer).
        /// </remarks>
        private Complex SolveG(int i, Complex m, Complex start)
        {
            var c = _c[i];
            var p = _pi[i];
            double rho = _rho[i];
            double mr = m.Real, mi = m.Imaginary;
            Complex g = start;
            for (int it = 0; it < 100; it++)
            {
                double gr = g.Real, gi = g.Imaginary;
                double vr = -1, vi = 0, dgr = 0, dgi = 0;
                for (int j = 0; j < c.Length; j++)
                {
                    double a = c[j] * rho;
                    ComplexReciprocal.Of(gr - a * mr, gi - a * mi, out double qr, out double qi);
                    double w = p[j];
                    double pr = w * qr, pi = w * qi;
                    vr += pr;
                    vi += pi;
                    dgr -= pr * qr - pi * qi;
                    dgi -= pi * qr + pr * qi;
                }

                Complex step = new Complex(vr, vi) / new Complex(dgr, dgi);
                g -= step;
                if (ComplexModulus.Of(step) <= 1e-15 * (ComplexModulus.Of(g) + 1)) return g;
            }

            return g;
        }

        /// <summary>Bounds of |h^n|, |(h^n)'|, |(h^n)''| from bounds of |h|, |h'|, |h''|.</summary>
        private static void PowerBound(double h0, double h1, double h2, int n, out double p0, out double p1, out double p2)
        {
            double hn2 = n >= 2 ? Math.Pow(h0, n - 2) : 0;
            double hn1 = n >= 1 ? Math.Pow(h0, n - 1) : 0;
            p0 = Math.Pow(h0, n);
            p1 = n * hn1 * h1;
            p2 = n * (n - 1) * hn2 * h1 * h1 + n * hn1 * h2;
        }

        // ---- general system in (m, g_1..g_n) ----

        /// <summary>
        /// Newton step at y into _step, by elimination on the arrow-shaped Jacobian [[a, c^T], [d, diag(D)]]
        /// (Schur complement s = a - sum c_i d_i / D_i). alpha is the step's size in the scaled max-norm
        /// max(|dm| / w_m, |dg_i| / w_i) of <see cref="Scales"/>.
        /// </summary>
        private bool NewtonStep(Complex zeta, Complex[] y, out double alpha, out Complex schur)
        {
            int n = _rho.Length;
            Complex m = y[0];
            Complex invZeta = Complex.One / zeta;
            Product(_a, _ka, m, out Complex pa, out Complex pa1);
            Product(_e, _ke, m, out Complex pb, out Complex pb1);
            Complex gProduct = Complex.One;
            for (int i = 0; i < n; i++) gProduct *= IntPow(y[1 + i], _mult[i]);
            Complex e0 = pa * gProduct * invZeta - m * pb;
            Complex s = pa1 * gProduct * invZeta - (pb + m * pb1);
            Complex rhs = -e0;
            alpha = double.PositiveInfinity;
            schur = Complex.Zero;
            for (int i = 0; i < n; i++)
            {
                Complex g = y[1 + i];
                AtomSums(i, g, m, out Complex value, out Complex dg, out Complex dm, _distance[i]);
                _residual[1 + i] = value;
                _dJac[i] = dm;
                _diag[i] = dg;
                // d/dg_i of A G / zeta = A n_i g_i^{n_i - 1} prod_{k != i} g_k^{n_k} / zeta.
                Complex others;
                if (g != Complex.Zero) others = gProduct / g;
                else
                {
                    others = Complex.One;
                    for (int k = 0; k < n; k++) others *= IntPow(y[1 + k], k == i ? _mult[k] - 1 : _mult[k]);
                }

                _cJac[i] = pa * _mult[i] * others * invZeta;
                if (dg == Complex.Zero) return false;
                s -= _cJac[i] * dm / dg;
                rhs += _cJac[i] * value / dg;
            }

            schur = s;
            if (s == Complex.Zero) return false;
            Complex stepM = rhs / s;
            _step[0] = stepM;
            Scales(y);
            alpha = ComplexModulus.Of(stepM) / _weight[0];
            for (int i = 0; i < n; i++)
            {
                _step[1 + i] = (-_residual[1 + i] - _dJac[i] * stepM) / _diag[i];
                alpha = Math.Max(alpha, ComplexModulus.Of(_step[1 + i]) / _weight[1 + i]);
            }

            return !double.IsNaN(alpha) && !double.IsInfinity(alpha);
        }

        /// <summary>
        /// Units of the scaled max-norm at y: for g_i its distance to the nearest pole c_ij rho_i m; for m,
        /// |m| + m_scale capped by the distance to the nearest zero of a factor of A or B and to the nearest pole
        /// (in m) of any E_i. Reads the atom distances at y that <see cref="NewtonStep"/> has just kept.
        /// </summary>
        private void Scales(Complex[] y)
        {
            Complex m = y[0];
            double wm = ComplexModulus.Of(m) + _mScale;
            for (int k = 0; k < _a.Length; k++) wm = Math.Min(wm, ComplexModulus.Of(1 + _a[k] * m) / _a[k]);
            for (int k = 0; k < _e.Length; k++) wm = Math.Min(wm, ComplexModulus.Of(1 + _e[k] * m) / _e[k]);
            for (int i = 0; i < _rho.Length; i++)
            {
                Complex g = y[1 + i];
                var c = _c[i];
                var distance = _distance[i];
                double wg = double.PositiveInfinity;
                for (int j = 0; j < c.Length; j++)
                {
                    double gap = distance[j];
                    wg = Math.Min(wg, gap);
                    wm = Math.Min(wm, gap / (c[j] * _rho[i]));
                }

                // g_i also enters E_0 through g_i^{n_i}: its own size is a natural unit too.
                double own = ComplexModulus.Of(g);
                _weight[1 + i] = own > 0 ? Math.Min(wg, own) : wg;
            }

            _weight[0] = wm > 0 ? wm : _mScale;
        }

        /// <summary>
        /// omega with ||F'(y0)^{-1} (F'(x) - F'(x'))|| &lt;= omega ||x - x'|| on the ball of radius R in the scaled
        /// max-norm: the closed-form inverse of the arrow Jacobian times bounds b_j of the summed second derivatives
        /// of each equation on the ball (majorants of the products of linear factors; distances to the poles of E_i).
        /// Called right after <see cref="NewtonStep"/> at y0, whose atom distances it reads.
        /// </summary>
        private double LipschitzBound(Complex zeta, Complex[] y0, double radius, Complex schur)
        {
            int n = _rho.Length;
            Complex m0 = y0[0];
            double wm = _weight[0];
            double discR = radius * wm;
            Majorant(_a, _ka, m0, discR, out double a0, out double a1, out double a2);
            Majorant(_e, _ke, m0, discR, out _, out double b1, out double b2);
            double mBar = ComplexModulus.Of(m0) + discR;
            double cMax2 = 2 * b1 + mBar * b2;

            // Row 0: E_0 = A(m) G / zeta - m B(m), G = prod g_i^{n_i}, |g_i| <= |g_i0| + R w_i on the ball.
            double logP = 0, sum = 0;
            for (int i = 0; i < n; i++)
            {
                double gBar = ComplexModulus.Of(y0[1 + i]) + radius * _weight[1 + i];
                logP += _mult[i] * Math.Log(gBar);
                sum += _mult[i] * _weight[1 + i] / gBar;
            }

            double pBound = Math.Exp(logP);
            double invZ = 1 / ComplexModulus.Of(zeta);
            double b0Row = wm * wm * (a2 * pBound * invZ + cMax2) + 2 * wm * a1 * pBound * sum * invZ + a0 * pBound * sum * sum * invZ;

            // Rows i: E_i = sum_j pi_j / (g - c_j rho m) - 1; its Hessian is 2 pi_j (dg - c_j rho dm)^2 / (g - c_j rho m)^3.
            double t = 0;
            var bi = _bound;
            for (int i = 0; i < n; i++)
            {
                double wg = _weight[1 + i];
                var c = _c[i];
                var p = _pi[i];
                var distance = _distance[i];
                double rho = _rho[i];
                double bound = 0;
                for (int j = 0; j < c.Length; j++)
                {
                    double reach = wg + c[j] * rho * wm;
                    double gap = distance[j] - radius * reach;
                    if (!(gap > 0)) return double.PositiveInfinity;
                    bound += 2 * p[j] * reach * reach / (gap * gap * gap);
                }

                bi[i] = bound;
                t += ComplexModulus.Of(_cJac[i] / _diag[i]) * bound;
            }

            double omega = (b0Row + t) / (ComplexModulus.Of(schur) * wm);
            for (int i = 0; i < n; i++)
            {
                Complex di = _diag[i];
                double cOverD = ComplexModulus.Of(_cJac[i] / di);
                double row = ComplexModulus.Of(_dJac[i] / (di * schur)) * (b0Row + t - cOverD * bi[i])
                             + ComplexModulus.Of(Complex.One / di + _dJac[i] * _cJac[i] / (di * di * schur)) * bi[i];
                omega = Math.Max(omega, row / _weight[1 + i]);
            }

            return omega;
        }

        /// <summary>Certified Newton on the full system (m, g_1..g_n), used when the reduced test fails.</summary>
        private bool TryCertifiedSolveSystem(Complex zeta, Complex[] start, Complex[] solution, double tolerance, int maxIterations)
        {
            if (!NewtonStep(zeta, start, out double alpha, out Complex schur)) return false;
            if (!(alpha * LipschitzBound(zeta, start, 2 * alpha, schur) <= 0.5)) return false;
            int n = Dimension;
            for (int i = 0; i < n; i++) solution[i] = start[i] + _step[i];
            // Convergence is judged on the plain relative size of the step: the scaled units of the basin test can be
            // far below round-off (m near a zero of a factor), where Newton stalls at the double-precision floor.
            double previous = PlainStepSize(solution);
            for (int it = 0; it < maxIterations; it++)
            {
                if (previous <= tolerance) return true;
                if (!NewtonStep(zeta, solution, out _, out _))
                    throw new SpectralConvergenceException($"Newton lost regularity at zeta = {zeta} after a passed basin test.");
                for (int i = 0; i < n; i++) solution[i] += _step[i];
                double size = PlainStepSize(solution);
                if (size <= tolerance || (size >= previous && size < 1e-8)) return true;
                previous = size;
            }

            throw new SpectralConvergenceException($"Newton did not reach tolerance {tolerance:g3} in {maxIterations} iterations at zeta = {zeta}.");
        }

        private double PlainStepSize(Complex[] y)
        {
            double size = ComplexModulus.Of(_step[0]) / (ComplexModulus.Of(y[0]) + _mScale);
            for (int i = 1; i < y.Length; i++) size = Math.Max(size, ComplexModulus.Of(_step[i]) / (ComplexModulus.Of(y[i]) + 1));
            return size;
        }

        // ---- products of linear factors prod (1 + a_k m)^{n_k}: value and two derivatives, and majorants ----

        /// <remarks>
        /// Two interleaved partial products (even and odd factors) combined at the end: each partial product is a chain of
        /// dependent multiplications, so two chains run in parallel in the processor (the loop is latency-bound).
        /// </remarks>
        private static void Product(double[] a, int[] k, Complex m, out Complex f, out Complex f1)
        {
            double mr = m.Real, mi = m.Imaginary;
            double fr = 1, fi = 0, dr = 0, di = 0; // even chain: value, derivative
            double hr = 1, hi = 0, er = 0, ei = 0; // odd chain
            int count = a.Length, i = 0;
            for (; i + 1 < count; i += 2)
            {
                double b = a[i], c = a[i + 1];
                if (k[i] == 1 && k[i + 1] == 1)
                {
                    double gr = 1 + b * mr, gi = b * mi;
                    double ndr = dr * gr - di * gi + fr * b;
                    double ndi = dr * gi + di * gr + fi * b;
                    double nfr = fr * gr - fi * gi;
                    fi = fr * gi + fi * gr;
                    fr = nfr;
                    dr = ndr;
                    di = ndi;
                    double ur = 1 + c * mr, ui = c * mi;
                    double ner = er * ur - ei * ui + hr * c;
                    double nei = er * ui + ei * ur + hi * c;
                    double nhr = hr * ur - hi * ui;
                    hi = hr * ui + hi * ur;
                    hr = nhr;
                    er = ner;
                    ei = nei;
                }
                else
                {
                    Factor(b, k[i], mr, mi, ref fr, ref fi, ref dr, ref di);
                    Factor(c, k[i + 1], mr, mi, ref hr, ref hi, ref er, ref ei);
                }
            }

            if (i < count) Factor(a[i], k[i], mr, mi, ref fr, ref fi, ref dr, ref di);
            // (F H)' = F' H + F H'
            f = new Complex(fr * hr - fi * hi, fr * hi + fi * hr);
            f1 = new Complex(dr * hr - di * hi + fr * er - fi * ei, dr * hi + di * hr + fr * ei + fi * er);
        }

        /// <summary>Multiplies the partial product (f, f') by (1 + b m)^n.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Factor(double b, int n, double mr, double mi, ref double fr, ref double fi, ref double dr, ref double di)
        {
            double gr = 1 + b * mr, gi = b * mi, g1r, g1i;
            if (n == 1)
            {
                g1r = b;
                g1i = 0;
            }
            else
            {
                Complex gn1 = IntPow(new Complex(gr, gi), n - 1);
                g1r = n * b * gn1.Real;
                g1i = n * b * gn1.Imaginary;
                double tr = gn1.Real * gr - gn1.Imaginary * gi;
                gi = gn1.Real * gi + gn1.Imaginary * gr;
                gr = tr;
            }

            double ndr = dr * gr - di * gi + fr * g1r - fi * g1i;
            double ndi = dr * gi + di * gr + fr * g1i + fi * g1r;
            double nfr = fr * gr - fi * gi;
            fi = fr * gi + fi * gr;
            fr = nfr;
            dr = ndr;
            di = ndi;
        }

        /// <summary>
        /// Value and derivatives at x = radius of prod (|1 + a_k m0| + |a_k| x)^{n_k}: they bound |f|, |f'|, |f''| on the
        /// disc |m - m0| &lt;= radius, because the Taylor coefficients of f at m0 are dominated by those of this majorant.
        /// </summary>
        private static void Majorant(double[] a, int[] k, Complex m0, double radius, out double f, out double f1, out double f2)
        {
            // Two interleaved partial majorants (even and odd factors), combined at the end: (PQ)'' = P''Q + 2P'Q' + PQ''.
            double x = m0.Real, y = m0.Imaginary;
            double p = 1, p1 = 0, p2 = 0, q = 1, q1 = 0, q2 = 0;
            int count = a.Length, i = 0;
            for (; i + 1 < count; i += 2)
            {
                MajorantFactor(a[i], k[i], x, y, radius, ref p, ref p1, ref p2);
                MajorantFactor(a[i + 1], k[i + 1], x, y, radius, ref q, ref q1, ref q2);
            }

            if (i < count) MajorantFactor(a[i], k[i], x, y, radius, ref p, ref p1, ref p2);
            f = p * q;
            f1 = p1 * q + p * q1;
            f2 = p2 * q + 2 * p1 * q1 + p * q2;
        }

        /// <summary>Multiplies the partial majorant (f, f', f'') by (|1 + a m0| + |a| x)^n at x = radius.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void MajorantFactor(double ai, int n, double x, double y, double radius, ref double f, ref double f1, ref double f2)
        {
            double b = Math.Abs(ai);
            double re = 1 + ai * x, im = ai * y;
            // |1 + a m0| by a plain square root: the factors are far from overflow (|a m0| < 1e150 in practice);
            // fall back to the scaled modulus otherwise.
            double norm = re * re + im * im;
            double g = (norm > 1e-300 && norm < 1e300 ? Math.Sqrt(norm) : Complex.Abs(new Complex(re, im))) + b * radius;
            double G, G1, G2;
            if (n == 1)
            {
                G = g;
                G1 = b;
                G2 = 0;
            }
            else
            {
                double gn2 = n == 2 ? 1 : Math.Pow(g, n - 2);
                G = gn2 * g * g;
                G1 = n * gn2 * g * b;
                G2 = (double)n * (n - 1) * gn2 * b * b;
            }

            double nf2 = f2 * G + 2 * f1 * G1 + f * G2;
            double nf1 = f1 * G + f * G1;
            f *= G;
            f1 = nf1;
            f2 = nf2;
        }

        internal static Complex IntPow(Complex x, int n)
        {
            Complex result = Complex.One;
            Complex b = x;
            while (n > 0)
            {
                if ((n & 1) != 0) result *= b;
                b *= b;
                n >>= 1;
            }

            return result;
        }

        // ---- the real branch, for the support edges ----

        /// <summary>
        /// On the real axis: zeta(m) = A(m) prod g_i(m)^{n_i} / (m B(m)) with g_i(m) the real root continued from g = 1
        /// (the one right of every pole c_ij rho_i m), and d log|zeta| / dm. Returns false where it is not finite.
        /// </summary>
        /// <param name="m">Point of the real axis.</param>
        /// <param name="warm">Per multi-atom layer, the offset g_i - (rightmost pole) of the previous call (start: 1); updated.</param>
        /// <param name="zeta">zeta(m); NaN where the branch is not finite.</param>
        /// <param name="dLogZeta">d log|zeta| / dm at m; NaN where the branch is not finite.</param>
        public bool RealBranch(double m, double[] warm, out double zeta, out double dLogZeta)
        {
            zeta = double.NaN;
            dLogZeta = double.NaN;
            if (m == 0) return false;
            Product(_a, _ka, m, out Complex pa, out Complex pa1);
            Product(_e, _ke, m, out Complex pb, out Complex pb1);
            double a = pa.Real, a1 = pa1.Real, b = pb.Real, b1 = pb1.Real;
            double logDerivative = a1 / a - 1 / m - b1 / b;
            double value = a / (m * b);
            for (int i = 0; i < _rho.Length; i++)
            {
                var c = _c[i];
                var p = _pi[i];
                double rho = _rho[i];
                int top = m > 0 ? c.Length - 1 : 0;
                double t = SolveRealOffset(i, m, top, warm[i]);
                warm[i] = t;
                double g = c[top] * rho * m + t;
                // dg/dm = rho sum_j p_j q_j^2 c_j / sum_j p_j q_j^2 with q_j = 1 / (g - c_j rho m) = 1 / (t + d_j); the
                // weights are scaled by t^2 (t q_j <= 1), so an atom of tiny mass next to g cannot overflow them.
                double num = 0, den = 0;
                for (int j = 0; j < c.Length; j++)
                {
                    double tq = t / (t + (c[top] - c[j]) * rho * m);
                    double w = p[j] * tq * tq;
                    num += w * c[j];
                    den += w;
                }

                logDerivative += _mult[i] * rho * (num / den) / g;
                value *= Math.Pow(g, _mult[i]);
            }

            zeta = value;
            dLogZeta = logDerivative;
            return !double.IsNaN(value) && !double.IsInfinity(value) && !double.IsNaN(logDerivative);
        }

        /// <summary>
        /// Real root of sum_j pi_j / (g - c_j rho m) = 1 right of the rightmost pole g* = c_top rho m, as the offset
        /// t = g - g* &gt; 0 of F(t) = sum_j pi_j / (t + d_j) - 1 with d_j = (c_top - c_j) rho m &gt;= 0 computed without
        /// cancellation: an atom of tiny mass (an extreme Gauss-Hermite node) puts the root within its mass of its pole,
        /// far below the resolution of g itself. F decreases from +infinity to -1, F(pi_top) &gt;= 0 and F(1) &lt;= 0, so
        /// [pi_top, 1] brackets t; safeguarded Newton, with geometric bisection when a step leaves the bracket.
        /// </summary>
        private double SolveRealOffset(int i, double m, int top, double warm)
        {
            var c = _c[i];
            var p = _pi[i];
            double rho = _rho[i];
            double lo = Math.Min(p[top], 1), hi = 1;
            double x = warm > lo && warm < hi ? warm : Math.Sqrt(lo * hi);
            for (int it = 0; it < 200; it++)
            {
                double f = -1, df = 0;
                for (int j = 0; j < c.Length; j++)
                {
                    double q = 1 / (x + (c[top] - c[j]) * rho * m);
                    f += p[j] * q;
                    df -= p[j] * q * q;
                }

                if (f > 0) lo = x; else hi = x;
                double next = x - f / df;
                if (!(next > lo && next < hi)) next = lo > 0 ? Math.Sqrt(lo * hi) : 0.5 * hi;
                if (Math.Abs(next - x) <= 1e-15 * x || hi - lo <= 1e-15 * hi)
                    return next;
                x = next;
            }

            return x;
        }

        /// <summary>
        /// The values -m at which a factor of zeta(m) vanishes on the negative axis, with multiplicity: 1/a_k for the
        /// factors of A and sum_j (pi_ij / c_ij) / rho_i for the multi-atom layers (where g_i reaches 0). The smallest is
        /// the rank fraction.
        /// </summary>
        public List<double> RankLimits()
        {
            var limits = new List<double>();
            for (int k = 0; k < _a.Length; k++)
                for (int r = 0; r < _ka[k]; r++) limits.Add(1 / _a[k]);
            for (int i = 0; i < _rho.Length; i++)
            {
                double sum = 0;
                for (int j = 0; j < _c[i].Length; j++) sum += _pi[i][j] / _c[i][j];
                for (int r = 0; r < _mult[i]; r++) limits.Add(sum / _rho[i]);
            }

            limits.Sort();
            return limits;
        }

        /// <summary>Scale of m below which every factor is within O(1) of its value at 0.</summary>
        public double MScale => _mScale;

        /// <summary>Largest |root| of A and B in the rational case: beyond it the real branch has no zero or pole.</summary>
        public double LargestRootModulus
        {
            get
            {
                double r = 1;
                foreach (var a in _a) r = Math.Max(r, 1 / a);
                foreach (var e in _e) r = Math.Max(r, 1 / e);
                return r;
            }
        }

        /// <summary>
        /// Point mass at the top of the normalised law (rational case): when deg A = deg(m B) the polynomial loses its
        /// degree at zeta_0 = lead(A) / lead(m B), where one root m goes to infinity; G = (m + rank) / zeta then has a
        /// pole there with residue sum_A 1/a_k - sum_B 1/e_k (roots counted with multiplicity). A positive residue is
        /// an atom of that mass at zeta_0 (for free projections, sum_l p_l - (L - 1)); otherwise there is none.
        /// </summary>
        /// <param name="position">zeta_0, the atom's position on the normalised axis (NaN when there is no atom).</param>
        /// <returns>The atom's mass (0 when there is none).</returns>
        public double TopAtom(out double position)
        {
            position = double.NaN;
            if (!IsRational) return 0;
            int degreeA = 0, degreeB = 1;
            double logLeadA = 0, logLeadB = 0, residue = 0;
            for (int i = 0; i < _a.Length; i++)
            {
                degreeA += _ka[i];
                logLeadA += _ka[i] * Math.Log(_a[i]);
                residue += _ka[i] / _a[i];
            }

            for (int i = 0; i < _e.Length; i++)
            {
                degreeB += _ke[i];
                logLeadB += _ke[i] * Math.Log(_e[i]);
                residue -= _ke[i] / _e[i];
            }

            // Round-off of the sums: a residue within 1e-12 of zero (e.g. square orthogonal ReLU, sum p = L - 1) is none.
            double scale = 0;
            for (int i = 0; i < _a.Length; i++) scale += _ka[i] / _a[i];
            if (degreeA != degreeB || !(residue > 1e-12 * scale)) return 0;
            position = Math.Exp(logLeadA - logLeadB);
            return residue;
        }

        internal IEnumerable<(double rho, int multiplicity, double[] atoms, double[] weights)> GeneralFactors()
        {
            for (int i = 0; i < _rho.Length; i++) yield return (_rho[i], _mult[i], _c[i], _pi[i]);
        }

        internal IEnumerable<(double a, int k)> AFactors()
        {
            for (int i = 0; i < _a.Length; i++) yield return (_a[i], _ka[i]);
        }

        internal IEnumerable<(double e, int k)> BFactors()
        {
            for (int i = 0; i < _e.Length; i++) yield return (_e[i], _ke[i]);
        }
    }
}
