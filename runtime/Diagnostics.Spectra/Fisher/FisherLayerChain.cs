using System;
using System.Collections.Generic;
using System.Numerics;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// One step K_l -> K_{l+1} of the dual conditional FIM recursion, K_{l+1} = c1 I + c2 W_{l+1} D_l K_l D_l W_{l+1}^T
    /// with c1 = (N_l / N_{l+1}) qhat_l and c2 = r = N_l / N_{l+1}, written through S-transforms: the product
    /// rho = nu_l boxtimes pi_{l+1} boxtimes mu_l (N_l x N_l) keeps m = psi(w) and multiplies w by S_nu(m) S_pi(m).
    /// </summary>
    internal sealed class FisherLevel
    {
        internal FisherLevel(DerivativeLaw nu, double weightVariance, WeightDistribution weights, double ratio, double qHat)
        {
            Nu = nu;
            WeightVariance = weightVariance;
            Weights = weights;
            Lambda = ratio;
            R = 1 / ratio;
            C1 = qHat / ratio;
            C2 = 1 / ratio;
            QHat = qHat;
            NuMean = nu.Mean;
            PiMean = weights == WeightDistribution.Gaussian ? weightVariance * ratio : weightVariance * Math.Min(1, ratio);
            // Atoms below DroppedAtomFraction * E[nu] pass less than that fraction of the typical gradient: counted at zero in the
            // chain (they put branch points of the inverse at that tiny scale), while the exact mean above keeps them.
            var values = new List<double>();
            var masses = new List<double>();
            double zero = nu.ZeroMass;
            for (int j = 0; j < nu.Values.Length; j++)
            {
                if (nu.Values[j] < DroppedAtomFraction * nu.Mean) zero += nu.Masses[j];
                else
                {
                    values.Add(nu.Values[j]);
                    masses.Add(nu.Masses[j]);
                }
            }

            NuZero = zero;
            NuValues = values.ToArray();
            NuMasses = masses.ToArray();
            UsesInnerSolve = NuValues.Length > 1;
        }

        /// <summary>D^2 atoms below this fraction of E[phi'^2] are treated as zero in the chain (not in the mean). 1e-6.</summary>
        public const double DroppedAtomFraction = 1e-6;

        /// <summary>nu({0}) as the chain uses it (tiny atoms merged).</summary>
        public double NuZero { get; }

        /// <summary>Non-zero atoms of nu used by the chain.</summary>
        public double[] NuValues { get; }

        public double[] NuMasses { get; }

        /// <summary>Law of D_l^2.</summary>
        public DerivativeLaw Nu { get; }

        public double WeightVariance { get; }

        public WeightDistribution Weights { get; }

        /// <summary>lambda = N_{l+1} / N_l.</summary>
        public double Lambda { get; }

        /// <summary>r = N_l / N_{l+1}.</summary>
        public double R { get; }

        public double C1 { get; }

        public double C2 { get; }

        /// <summary>qhat_l = E[phi(h_l)^2].</summary>
        public double QHat { get; }

        public double NuMean { get; }

        /// <summary>Mean of pi = law of W^T W (N_l x N_l).</summary>
        public double PiMean { get; }

        /// <summary>nu has two or more non-zero atoms: S_nu needs the inverse of psi_nu (solved numerically).</summary>
        public bool UsesInnerSolve { get; }

        /// <summary>S_pi(m) and its derivative: Marchenko-Pastur (Gaussian) or a scaled projection (orthogonal).</summary>
        public void WeightS(Complex m, out Complex s, out Complex ds)
        {
            double v = WeightVariance;
            if (Weights == WeightDistribution.Gaussian)
            {
                // W^T W = (v / N_l) Z^T Z with Z N_{l+1} x N_l: S(m) = 1 / (v (lambda + m)).
                var d = v * (Lambda + m);
                s = 1 / d;
                ds = -v / (d * d);
                return;
            }

            double p = Math.Min(1, Lambda);
            BernoulliS(m, p, v, out s, out ds);
        }

        /// <summary>S of (1 - p) delta_0 + p delta_c: (1 + m) / (c (p + m)).</summary>
        public static void BernoulliS(Complex m, double p, double c, out Complex s, out Complex ds)
        {
            if (p >= 1)
            {
                s = 1 / c;
                ds = 0;
                return;
            }

            var d = p + m;
            s = (1 + m) / (c * d);
            ds = (p - 1) / (c * d * d);
        }
    }

    /// <summary>State of a chain evaluation: the inner unknowns u_l (omega = m u_l) of multi-atom levels, reused as warm starts.</summary>
    internal sealed class ChainState
    {
        public ChainState(int levels)
        {
            U = new Complex[levels];
            for (int i = 0; i < levels; i++) U[i] = FisherLayerChain.NaN;
        }

        public Complex[] U { get; }

        public ChainState Clone()
        {
            var c = new ChainState(U.Length);
            Array.Copy(U, c.U, U.Length);
            return c;
        }

        public void CopyFrom(ChainState other) => Array.Copy(other.U, U, U.Length);
    }

    /// <summary>
    /// The whole recursion mu_1 = delta_a, mu_{l+1} = (c1 + c2 .)_* (dimension change of nu_l boxtimes pi_{l+1} boxtimes mu_l),
    /// parametrised by m_1 = psi_{mu_1} at the level-1 point: z_1 = a (1 + m_1) / m_1. Every later level is explicit
    /// (single-atom D^2 laws) or needs one scalar root (multi-atom D^2 laws), so z_L(m_1) and G_L(m_1) cost O(L).
    /// </summary>
    internal sealed class FisherLayerChain
    {
        private readonly FisherLevel[] _levels;

        private FisherLayerChain(NetworkArchitecture network, FisherLevel[] levels, double a, double[] means, SignalPropagationResult propagation)
        {
            Network = network;
            _levels = levels;
            A = a;
            LevelMeans = means;
            Propagation = propagation;
        }

        public NetworkArchitecture Network { get; }

        public SignalPropagationResult Propagation { get; }

        public IReadOnlyList<FisherLevel> Levels => _levels;

        /// <summary>K_1 = a I with a = (N_0 / N_1) q_0.</summary>
        public double A { get; }

        /// <summary>Exact means m1(K_1), ..., m1(K_L).</summary>
        public double[] LevelMeans { get; }

        public double Mean => LevelMeans[LevelMeans.Length - 1];

        /// <summary>K_L &gt;= c1_L I: the hard lower bound of the spectrum (a for L = 1).</summary>
        public double LowerBound => _levels.Length == 0 ? A : _levels[_levels.Length - 1].C1;

        public static FisherLayerChain Build(NetworkArchitecture network, int smoothAtoms, bool distinctSmoothAtoms = false)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            var propagation = SignalPropagation.Compute(network);
            int depth = network.Depth;
            var widths = network.Widths;
            double a = (double)widths[0] / widths[1] * network.InputVariance;
            var levels = new FisherLevel[depth - 1];
            var means = new double[depth];
            means[0] = a;
            for (int l = 1; l < depth; l++)
            {
                var phi = network.Layers[l - 1].Activation;
                double q = propagation.Q[l - 1];
                var nu = DerivativeLaw.For(phi, q, DerivativeLaw.Nodes(phi, smoothAtoms, distinctSmoothAtoms));
                double qHat = ActivationMoments.SecondMoment(phi, q);
                if (!(qHat > 0) || double.IsInfinity(qHat))
                    throw new SpectralConvergenceException($"E[phi(h)^2] of layer {l} is {qHat:g4} at q = {q:g4}: the layer outputs vanish or overflow.");
                var next = network.Layers[l];
                var level = new FisherLevel(nu, next.WeightVariance, next.Weights, (double)widths[l + 1] / widths[l], qHat);
                if (level.NuValues.Length == 0)
                    throw new SpectralConvergenceException($"phi'(h)^2 of layer {l} ({phi}) is below {FisherLevel.DroppedAtomFraction:g1} of its mean almost surely at q = {q:g4}: no gradient passes.");
                levels[l - 1] = level;
                means[l] = level.C1 + level.C2 * level.R * level.NuMean * level.PiMean * means[l - 1];
            }

            return new FisherLayerChain(network, levels, a, means, propagation);
        }

        /// <summary>
        /// Evaluates z_L(m_1), dz_L/dm_1 and G_L = G_{K_L}(z_L). Returns false when the chain leaves its domain
        /// (a pole, a non-finite value or an inner root that cannot be found), never throws for numerical reasons.
        /// With <paramref name="check"/>, also false unless every level is on the physical branch: Im z_l &gt;= 0,
        /// Im G_l &lt;= 0 and Im omega_l &lt;= 0 (relative tolerance <paramref name="tolerance"/>).
        /// </summary>
        public bool Evaluate(Complex m1, ChainState state, out Complex z, out Complex dz, out Complex g, bool check = false, double tolerance = 1e-7)
        {
            z = dz = g = FisherLayerChain.NaN;
            if (m1 == Complex.Zero) return false;
            var m = m1;
            Complex dm = 1;
            var zl = A * (1 + m) / m;
            Complex dzl = -A / (m * m);
            for (int i = 0; i < _levels.Length; i++)
            {
                var level = _levels[i];
                if (check && (zl.Imaginary < -tolerance * Complex.Abs(zl) || ((1 + m) / zl).Imaginary > tolerance * Complex.Abs((1 + m) / zl)))
                    return false;
                Complex sNu, dsNu;
                if (level.UsesInnerSolve)
                {
                    if (!InnerS(level, m, ref state.U[i], out sNu, out dsNu)) return false;
                    if (check && (m * state.U[i]).Imaginary > tolerance * Complex.Abs(m * state.U[i])) return false;
                }
                else
                {
                    FisherLevel.BernoulliS(m, 1 - level.NuZero, level.NuValues[0], out sNu, out dsNu);
                }

                level.WeightS(m, out var sPi, out var dsPi);
                var s = sNu * sPi;
                var ds = dsNu * sPi + sNu * dsPi;
                if (s == Complex.Zero) return false;
                var zeta = zl / s;
                var dzeta = (dzl * s - zl * ds * dm) / (s * s);
                if (zeta == Complex.Zero) return false;
                var shift = 1 + level.C1 / (level.C2 * zeta);
                var nextM = (1 + level.R * m) * shift - 1;
                var nextDm = level.R * dm * shift - (1 + level.R * m) * level.C1 / (level.C2 * zeta * zeta) * dzeta;
                zl = level.C1 + level.C2 * zeta;
                dzl = level.C2 * dzeta;
                m = nextM;
                dm = nextDm;
                if (!ComplexFinite.Of(zl) || !ComplexFinite.Of(m) || !ComplexFinite.Of(dzl)) return false;
            }

            g = (1 + m) / zl;
            if (check && (zl.Imaginary < -tolerance * Complex.Abs(zl) || g.Imaginary > tolerance * Complex.Abs(g))) return false;
            z = zl;
            dz = dzl;
            return ComplexFinite.Of(g);
        }

        /// <summary>
        /// S_nu(m) = (1 + m) u with psi_nu(m u) = m, i.e. F(u) = sum_j p_j c_j u / (1 - c_j m u) - 1 = 0, by Newton from
        /// the warm start (1 / E[nu] when none); for real m &gt; 0 the root in (0, 1/(m c_max)) is unique and is bracketed.
        /// </summary>
        internal static bool InnerS(FisherLevel nu, Complex m, ref Complex u, out Complex s, out Complex ds)
        {
            s = ds = FisherLayerChain.NaN;
            var c = nu.NuValues;
            var p = nu.NuMasses;
            bool real = m.Imaginary == 0 && m.Real > 0;
            if (double.IsNaN(u.Real) || double.IsNaN(u.Imaginary)) u = 1 / nu.NuMean;
            if (real)
            {
                double hi = 1 / (m.Real * c[c.Length - 1]);
                double lo = 0;
                double x = u.Real;
                if (!(x > lo && x < hi) || u.Imaginary != 0) x = Math.Min(1 / nu.NuMean, 0.5 * hi);
                for (int it = 0; it < 200; it++)
                {
                    double f = -1, fu = 0;
                    for (int j = 0; j < c.Length; j++)
                    {
                        double d = 1 / (1 - c[j] * m.Real * x);
                        f += p[j] * c[j] * x * d;
                        fu += p[j] * c[j] * d * d;
                    }

                    if (f == 0) break;
                    if (f > 0) hi = x; else lo = x;
                    double next = x - f / fu;
                    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
                    // Quadratic convergence: a step below 1e-13 x leaves an error far below round-off.
                    bool done = Math.Abs(next - x) <= 1e-13 * x || hi - lo <= 1e-15 * hi;
                    x = next;
                    if (done) break;
                }

                u = x;
            }
            else
            {
                bool converged = false;
                for (int it = 0; it < 60; it++)
                {
                    Complex f = -1, fu = 0;
                    for (int j = 0; j < c.Length; j++)
                    {
                        var d = 1 / (1 - c[j] * m * u);
                        f += p[j] * c[j] * u * d;
                        fu += p[j] * c[j] * d * d;
                    }

                    if (fu == Complex.Zero) return false;
                    var step = f / fu;
                    u -= step;
                    if (!ComplexFinite.Of(u)) return false;
                    if (Complex.Abs(step) <= 1e-13 * Complex.Abs(u))
                    {
                        converged = true;
                        break;
                    }
                }

                if (!converged) return false;
            }

            Complex fm = 0, fu2 = 0;
            for (int j = 0; j < c.Length; j++)
            {
                var d = 1 / (1 - c[j] * m * u);
                fm += p[j] * c[j] * c[j] * u * u * d * d;
                fu2 += p[j] * c[j] * d * d;
            }

            var du = -fm / fu2;
            s = (1 + m) * u;
            ds = u + (1 + m) * du;
            return ComplexFinite.Of(s) && ComplexFinite.Of(ds);
        }

        /// <summary>Level-1 start m_1 for a target z far from the spectrum: invert the large-z linearisation z_{l+1} ~ c1 + c2 E[nu] E[pi] z_l.</summary>
        public Complex AsymptoticStart(Complex target)
        {
            var zl = target;
            for (int i = _levels.Length - 1; i >= 0; i--)
            {
                var level = _levels[i];
                zl = (zl - level.C1) / (level.C2 * level.NuMean * level.PiMean);
            }

            return A / (zl - A);
        }

        internal static readonly Complex NaN = new Complex(double.NaN, double.NaN);
    }
}
