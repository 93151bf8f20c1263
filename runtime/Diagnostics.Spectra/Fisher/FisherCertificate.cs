using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using Diagnostics.Spectra.Inversion;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// A closed disc {c + w : |w| &lt;= r} of the complex plane with the inclusion arithmetic of Gargantini and Henrici
    /// (1972): the result of each operation contains every value of the operation on points of the operands.
    /// </summary>
    /// <remarks>
    /// Round-off: the centres are computed in double precision (no directed rounding); every operation pads the radius by
    /// <see cref="Pad"/> times the modulus of the result's centre, which covers the rounding error of the centre (a few ulps).
    /// </remarks>
    internal readonly struct Disc
    {
        /// <summary>MethodImplOptions.AggressiveOptimization (not named in netstandard2.0): these run in hot loops, skip tier-0 code.</summary>
        internal const MethodImplOptions Optimized = (MethodImplOptions)512;

        /// <summary>Relative radius padding per operation (about 9 ulps).</summary>
        public const double Pad = 2e-15;

        public Disc(Complex center, double radius)
        {
            Center = center;
            Radius = radius;
        }

        public Complex Center { get; }

        public double Radius { get; }

        /// <summary>Bound of |w| over the disc.</summary>
        public double Sup => ComplexModulus.Of(Center) + Radius;

        public bool IsValid => ComplexFinite.Of(Center) && Radius >= 0 && !double.IsInfinity(Radius) && !double.IsNaN(Radius);

        public static Disc Point(Complex c) => new Disc(c, 0);

        [MethodImpl(Optimized)]
        public static Disc operator +(Disc a, Disc b) => Padded(a.Center + b.Center, a.Radius + b.Radius);

        [MethodImpl(Optimized)]
        public static Disc operator +(Disc a, Complex b) => Padded(a.Center + b, a.Radius);

        [MethodImpl(Optimized)]
        public static Disc operator -(Disc a, Disc b) => Padded(a.Center - b.Center, a.Radius + b.Radius);

        [MethodImpl(Optimized)]
        public static Disc operator *(Complex k, Disc a) => Padded(k * a.Center, ComplexModulus.Of(k) * a.Radius);

        [MethodImpl(Optimized)]
        public static Disc operator *(Disc a, Disc b) =>
            Padded(a.Center * b.Center, ComplexModulus.Of(a.Center) * b.Radius + ComplexModulus.Of(b.Center) * a.Radius + a.Radius * b.Radius);

        /// <summary>1/w over the disc: centre 1/c, radius r/(|c| (|c| - r)); NaN (invalid) when the disc contains 0.</summary>
        [MethodImpl(Optimized)]
        public Disc Inverse()
        {
            double c = ComplexModulus.Of(Center);
            if (!(Radius < c)) return new Disc(FisherLayerChain.NaN, double.NaN);
            return Padded(1 / Center, Radius / (c * (c - Radius)));
        }

        [MethodImpl(Optimized)]
        private static Disc Padded(Complex c, double r) => new Disc(c, r + Pad * ComplexModulus.Of(c));
    }

    /// <summary>Value, first and second derivative of a function of m_1, each enclosed by a disc (second-order jet in disc arithmetic).</summary>
    internal readonly struct DiscJet
    {
        public DiscJet(Disc value, Disc d1, Disc d2)
        {
            Value = value;
            D1 = d1;
            D2 = d2;
        }

        public Disc Value { get; }

        public Disc D1 { get; }

        public Disc D2 { get; }

        public bool IsValid => Value.IsValid && D1.IsValid && D2.IsValid;

        public static DiscJet Constant(Complex c) => new DiscJet(Disc.Point(c), Disc.Point(0), Disc.Point(0));

        [MethodImpl(Disc.Optimized)]
        public static DiscJet operator +(DiscJet a, DiscJet b) => new DiscJet(a.Value + b.Value, a.D1 + b.D1, a.D2 + b.D2);

        [MethodImpl(Disc.Optimized)]
        public static DiscJet operator +(DiscJet a, Complex b) => new DiscJet(a.Value + b, a.D1, a.D2);

        [MethodImpl(Disc.Optimized)]
        public static DiscJet operator *(Complex k, DiscJet a) => new DiscJet(k * a.Value, k * a.D1, k * a.D2);

        [MethodImpl(Disc.Optimized)]
        public static DiscJet operator *(DiscJet a, DiscJet b) =>
            new DiscJet(a.Value * b.Value, a.D1 * b.Value + a.Value * b.D1, a.D2 * b.Value + 2 * (a.D1 * b.D1) + a.Value * b.D2);

        /// <summary>1/f: (1/f)' = -f'/f^2, (1/f)'' = 2 f'^2/f^3 - f''/f^2.</summary>
        [MethodImpl(Disc.Optimized)]
        public DiscJet Inverse()
        {
            var w = Value.Inverse();
            var w2 = w * w;
            return new DiscJet(w, (Complex)(-1) * (D1 * w2), 2 * (D1 * D1 * w2 * w) - D2 * w2);
        }
    }

    /// <summary>
    /// Rigorous bound of |d^2 z_L / dm_1^2| on a disc of level-1 parameters. For chains whose D^2 laws all have a single
    /// non-zero atom (ReLU, identity, hard tanh, hard sine) every level map is rational in m and z_L is a composition of
    /// rational maps, evaluated here in second-order jet disc arithmetic; multi-atom levels (smooth activations) add the inner
    /// root u(m), enclosed by a Krawczyk test (<see cref="InnerRootJet"/>).
    /// </summary>
    /// <remarks>
    /// Level map (FisherLevel): 1/S_nu(m) = c (1 - (1 - p)/(1 + m)), 1/S_pi(m) = v (lambda + m) (Gaussian) or
    /// v (1 - (1 - p')/(1 + m)) (orthogonal), zeta = z / (S_nu S_pi), z' = c1 + c2 zeta, m' = (1 + r m)(1 + c1/(c2 zeta)) - 1,
    /// with z_1 = a + a/m_1. Each quantity is written with a single occurrence of 1/(1 + m) so that the disc enclosures are
    /// first-order tight. The enclosure is rigorous up to the round-off padding of <see cref="Disc"/>; it is infinite when a
    /// disc meets a pole (m = 0, m = -1 or zeta = 0) or the Krawczyk test of an inner root fails.
    /// Measured (FisherCertificateTests): dominates |z_L''| sampled on discs of radius 1e-3..1e-1 |m0|, overestimating it by
    /// 1.06-14x at radius 1e-2 |m0|, and equals |z_L''(m0)| to 1e-6 at radius 0; the basin test rejects every tested start that
    /// plain Newton sends to a non-physical root.
    /// </remarks>
    internal static class FisherCertificate
    {
        /// <summary>Every level has a single non-zero D^2 atom: the chain is rational in m_1 and the bound applies.</summary>
        public static bool IsRational(FisherLayerChain chain)
        {
            foreach (var level in chain.Levels)
                if (level.UsesInnerSolve) return false;
            return true;
        }

        /// <summary>Jet of z_L over the disc |m_1 - m0| &lt;= radius (value, first and second derivative enclosures).</summary>
        [MethodImpl(Disc.Optimized)]
        public static DiscJet Jet(FisherLayerChain chain, Complex m0, double radius, ChainState? warm = null)
        {
            var invalid = new DiscJet(new Disc(FisherLayerChain.NaN, double.NaN), default, default);
            var m = new DiscJet(new Disc(m0, radius), Disc.Point(1), Disc.Point(0));
            double a = chain.A;
            var z = a * m.Inverse() + a;
            for (int i = 0; i < chain.Levels.Count; i++)
            {
                var level = chain.Levels[i];
                var inv1pm = (m + 1).Inverse();
                DiscJet invS;
                if (level.UsesInnerSolve)
                {
                    var u0 = warm != null ? warm.U[i] : FisherLayerChain.NaN;
                    if (!InnerRootJet(level, m, ref u0, out var uJet)) return invalid;
                    if (warm != null) warm.U[i] = u0;
                    invS = ((m + 1) * uJet).Inverse();
                }
                else
                {
                    double pNu = 1 - level.NuZero, cNu = level.NuValues[0];
                    invS = pNu >= 1 ? DiscJet.Constant(cNu) : cNu * ((pNu - 1) * inv1pm + 1);
                }

                double v = level.WeightVariance;
                if (level.Weights == Architecture.WeightDistribution.Gaussian)
                {
                    invS = invS * (v * (m + level.Lambda));
                }
                else
                {
                    double pPi = Math.Min(1, level.Lambda);
                    if (pPi < 1) invS = invS * (v * ((pPi - 1) * inv1pm + 1));
                    else invS = v * invS;
                }

                var zeta = z * invS;
                var shift = (level.C1 / level.C2) * zeta.Inverse() + 1;
                var nextM = (level.R * m + 1) * shift + (-1);
                z = level.C2 * zeta + level.C1;
                m = nextM;
                if (!z.IsValid || !m.IsValid) return new DiscJet(new Disc(FisherLayerChain.NaN, double.NaN), default, default);
            }

            return z;
        }

        /// <summary>Relative tolerance on m_1 of the Newton iterations after a passed basin test.</summary>
        public const double Tolerance = 1e-13;
        

        /// <summary>
        /// Kantorovich basin test for z_L(m_1) = <paramref name="target"/> at <paramref name="start"/>: with the Newton step
        /// h = -(z_L(m0) - target)/z_L'(m0) and K = sup |z_L''| on the disc |m - m0| &lt;= 2|h| (which contains the disc of radius
        /// |h| around m0 + h), the test |h| K &lt;= |z_L'(m0)|/2 guarantees that Newton from m0 converges (quadratically) to the
        /// unique root in that disc. When it passes, Newton is run to <see cref="Tolerance"/> and the root is checked on the
        /// physical branch (Im z_l &gt;= 0, Im G_l &lt;= 0 at every level).
        /// </summary>
        /// <returns>False when the test fails, K is not available (a pole in the disc, multi-atom chain) or the root is off the physical branch.</returns>
        /// <exception cref="SpectralConvergenceException">Newton did not settle although the test passed (round-off floor).</exception>
        public static bool TryCertifiedNewton(FisherLayerChain chain, Complex target, Complex start, ChainState state, int maxIterations, out Complex root, out Complex g)
        {
            root = g = FisherLayerChain.NaN;
            if (!chain.Evaluate(start, state, out var z, out var dz, out _) || dz == Complex.Zero) return false;
            var h = -(z - target) / dz;
            double hAbs = Complex.Abs(h);
            double dzAbs = Complex.Abs(dz);
            double k = SecondDerivativeBound(chain, start, 2 * hAbs, state.Clone());
            if (!(hAbs * k <= 0.5 * dzAbs)) return false;

            // Newton from the certified start. The iterates and the root stay in the disc where K bounds |z_L''|, so after a
            // step h from m, |root - (m + h)| <= 2 K |h|^2 / |z_L'(m)|: stop as soon as that is below the tolerance.
            var m = start;
            for (int it = 0; ; it++)
            {
                m += h;
                double scale = Complex.Abs(m);
                if (hAbs <= Tolerance * scale || (2 * k * hAbs <= dzAbs && 2 * k * hAbs * hAbs <= Tolerance * scale * dzAbs)) break;
                if (it == maxIterations)
                    throw new SpectralConvergenceException($"Fisher density: Newton did not reach tolerance {Tolerance:g3} in {maxIterations} iterations at z = {target} after a passed basin test.");
                if (!chain.Evaluate(m, state, out z, out dz, out _) || dz == Complex.Zero)
                    throw new SpectralConvergenceException($"Fisher density: the chain left its domain at m_1 = {m} (z = {target}) after a passed basin test.");
                h = -(z - target) / dz;
                double size = Complex.Abs(h);
                dzAbs = Complex.Abs(dz);
                // Round-off floor: the last iterate is as good as double precision allows.
                if (size >= hAbs && size < 1e-9 * scale) break;
                hAbs = size;
            }

            if (!chain.Evaluate(m, state, out _, out _, out g, check: true)) return false;
            root = m;
            return true;
        }

        /// <summary>
        /// Enclosure of the inner root u(m) of F(u; m) = sum_j p_j c_j u/(1 - c_j m u) - 1 (S_nu(m) = (1 + m) u) for every m of
        /// the disc of <paramref name="m"/>, and of its derivatives along m_1. Krawczyk test: with u0 the root at the centre and
        /// U = B(u0, delta), u0 - F(u0; M)/F_u(u0) + (1 - F_u(U; M)/F_u(u0)) (U - u0) inside U proves a unique root in U for every
        /// m in M (mean-value form of the analytic F; discs are convex). Then u_m = -F_m/F_u and
        /// u_mm = -(F_uu u_m^2 + 2 F_um u_m + F_mm)/F_u are enclosed over (U, M) by disc arithmetic (Cauchy-free implicit jets).
        /// </summary>
        [MethodImpl(Disc.Optimized)]
        internal static bool InnerRootJet(FisherLevel level, DiscJet m, ref Complex u0, out DiscJet u)
        {
            u = default;
            var mc = m.Value.Center;
            if (!FisherLayerChain.InnerS(level, mc, ref u0, out _, out _)) return false;
            var c = level.NuValues;
            var p = level.NuMasses;
            var M = m.Value;
            var U0 = Disc.Point(u0);
            // F(u0; M) and F_u(u0; m0).
            Disc f0 = Disc.Point(-1);
            Complex fu0 = 0;
            for (int j = 0; j < c.Length; j++)
            {
                var d = (Disc.Point(1) - (Complex)c[j] * (M * U0)).Inverse();
                f0 = f0 + (Complex)(p[j] * c[j]) * (U0 * d);
                var dc = 1 / (1 - c[j] * mc * u0);
                fu0 += p[j] * c[j] * dc * dc;
            }

            if (!f0.IsValid || fu0 == Complex.Zero) return false;
            var invFu0 = 1 / fu0;
            double delta = 2 * ComplexModulus.Of(invFu0) * f0.Sup + 1e-15 * ComplexModulus.Of(u0);
            for (int attempt = 0; attempt < 6; attempt++, delta *= 4)
            {
                var U = new Disc(u0, delta);
                Disc fu = Disc.Point(0);
                for (int j = 0; j < c.Length; j++)
                {
                    var d = (Disc.Point(1) - (Complex)c[j] * (M * U)).Inverse();
                    fu = fu + (Complex)(p[j] * c[j]) * (d * d);
                }

                if (!fu.IsValid) continue;
                var k = (U0 - invFu0 * f0) + (Disc.Point(1) - invFu0 * fu) * new Disc(0, delta);
                if (!k.IsValid || ComplexModulus.Of(k.Center - u0) + k.Radius >= delta) continue;

                // U encloses u(m) for every m in M: derivatives by the implicit-function formulas over (U, M).
                Disc fU = Disc.Point(0), fM = Disc.Point(0), fUU = Disc.Point(0), fUM = Disc.Point(0), fMM = Disc.Point(0);
                var u2 = U * U;
                var u3 = u2 * U;
                for (int j = 0; j < c.Length; j++)
                {
                    double cj = c[j], pc = p[j] * cj, pc2 = pc * cj;
                    var d = (Disc.Point(1) - (Complex)cj * (M * U)).Inverse();
                    var d2 = d * d;
                    var d3 = d2 * d;
                    fU = fU + (Complex)pc * d2;
                    fM = fM + (Complex)pc2 * (u2 * d2);
                    fUU = fUU + (Complex)(2 * pc2) * (M * d3);
                    fUM = fUM + (Complex)(2 * pc2) * (U * d3);
                    fMM = fMM + (Complex)(2 * pc2 * cj) * (u3 * d3);
                }

                var invFu = fU.Inverse();
                if (!invFu.IsValid) return false;
                var um = (Complex)(-1) * (fM * invFu);
                var umm = (Complex)(-1) * ((fUU * (um * um) + 2 * (fUM * um) + fMM) * invFu);
                var d1 = um * m.D1;
                var dd2 = umm * (m.D1 * m.D1) + um * m.D2;
                u = new DiscJet(U, d1, dd2);
                return u.IsValid;
            }

            return false;
        }

        /// <summary>
        /// sup |z_L''| over |m_1 - m0| &lt;= radius; +infinity when not available (pole in the disc, inner root not enclosed).
        /// <paramref name="warm"/>: inner roots at m0 (warm starts; updated), needed to enclose the physical inner roots.
        /// </summary>
        public static double SecondDerivativeBound(FisherLayerChain chain, Complex m0, double radius, ChainState? warm = null)
        {
            var jet = Jet(chain, m0, radius, warm);
            return jet.IsValid ? jet.D2.Sup : double.PositiveInfinity;
        }
    }
}
