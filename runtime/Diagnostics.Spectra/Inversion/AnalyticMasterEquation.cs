using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>
    /// A scalar master equation f(zeta, m) = 0 analytic in m, whose physical root is the moment series
    /// m = M(zeta) = zeta G(zeta) - 1 of a law on [0, inf) (so m -> <see cref="SolutionAtInfinity"/> as zeta -> inf).
    /// Solved with a convergence certificate by <see cref="AnalyticLilypads"/>.
    /// </summary>
    /// <remarks>
    /// The only analytic information the certificate needs besides f and f' is a rigorous bound of |d^2 f / dm^2| on a
    /// closed disc (<see cref="SecondDerivativeBound"/>); for transcendental f it follows e.g. from
    /// |exp(w)| &lt;= exp(Re w_0 + |w - w_0|) on the disc around w_0, or from Cauchy estimates.
    /// </remarks>
    public abstract class AnalyticMasterEquation
    {
        /// <summary>f(zeta, m).</summary>
        public abstract Complex Value(Complex zeta, Complex m);

        /// <summary>df/dm at (zeta, m).</summary>
        public abstract Complex Derivative(Complex zeta, Complex m);

        /// <summary>df/dzeta at (zeta, m); used only by the tangent predictor dm/dzeta = -f_zeta / f_m.</summary>
        public abstract Complex ZetaDerivative(Complex zeta, Complex m);

        /// <summary>
        /// A number K &gt;= sup |d^2 f / dm^2 (zeta, w)| over the closed disc |w - <paramref name="center"/>| &lt;= <paramref name="radius"/>.
        /// Must be rigorous (an upper bound, not an estimate): the convergence guarantee rests on it.
        /// Return +inf (or NaN) when no finite bound is available; the basin test then fails.
        /// </summary>
        public abstract double SecondDerivativeBound(Complex zeta, Complex center, double radius);

        /// <summary>
        /// Size of the terms summed in f(zeta, m) (e.g. |1 + m||exp(...)| + |zeta m|): the round-off of
        /// <see cref="Value"/> is about 1e-16 times this. Newton stops once its step is at that noise level. Default |f|.
        /// </summary>
        public virtual double ValueMagnitude(Complex zeta, Complex m) => Complex.Abs(Value(zeta, m));

        /// <summary>The limit of the physical root as zeta -> inf (0 for the moment series M).</summary>
        public virtual Complex SolutionAtInfinity => Complex.Zero;

        /// <summary>Mass at zero of the law: G(zeta) = (m + 1 - atom) / zeta on the non-zero part. Default 0.</summary>
        public virtual double AtomAtZero => 0;
    }
}
