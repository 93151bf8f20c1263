using System;
using System.Numerics;
using Diagnostics.Spectra.Inversion;

namespace Diagnostics.Spectra.Residual
{
    /// <summary>
    /// The universal large-depth master equation of residual networks in the normalised variable zeta = z / a^{2L}:
    /// f(zeta, m) = (1 + m) exp(kappa (1 + 2 m)) - zeta m = 0, m = M(zeta) = zeta G(zeta) - 1, kappa = c / a^2.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Tarnowski, Warchol, Jastrzebski, Tabor and Nowak (2019), eq. 25: a^{2L} G(z) = (z G(z) - 1) exp((c/a^2)(1 - 2 z G(z))).
    /// Derivation (checked here): with s_l = c_2^l / L, the factor Y_l = (a + D_l W_l)^T (a + D_l W_l) has mean a^2 + s_l and
    /// variance 2 a^2 s_l + O(s_l^2), so S_{Y_l}(m) = a^{-2} (1 - (s_l/a^2)(1 + 2m)) + O(L^-2); the product of the L factors'
    /// S-transforms tends to S(m) = a^{-2L} exp(-(c/a^2)(1 + 2m)), i.e. M^{-1}(m) = a^{2L} (1 + m) exp(kappa (1 + 2m)) / m,
    /// which is eq. 25 with m = zG - 1.
    /// </para>
    /// <para>
    /// Basin-test bound: f'' = 4 kappa exp(kappa (1 + 2m)) (1 + kappa (1 + m)); on the disc |w - w_0| &lt;= r,
    /// |exp(kappa (1 + 2w))| &lt;= exp(kappa (1 + 2 Re w_0 + 2 r)) and |1 + kappa (1 + w)| &lt;= |1 + kappa (1 + w_0)| + kappa r,
    /// so K = 4 kappa exp(kappa (1 + 2 Re w_0 + 2 r)) (|1 + kappa (1 + w_0)| + kappa r) bounds |f''| rigorously (kappa &gt;= 0).
    /// </para>
    /// </remarks>
    internal sealed class ResidualMasterEquation : AnalyticMasterEquation
    {
        public ResidualMasterEquation(double kappa)
        {
            if (!(kappa > 0) || double.IsInfinity(kappa))
                throw new InvalidArchitectureException($"the normalised cumulant kappa = c/a^2 must be a finite number > 0, got {kappa}.");
            Kappa = kappa;
        }

        public double Kappa { get; }

        public override Complex Value(Complex zeta, Complex m) => (1 + m) * Exponential(m) - zeta * m;

        public override Complex Derivative(Complex zeta, Complex m) => Exponential(m) * (1 + 2 * Kappa * (1 + m)) - zeta;

        public override double ValueMagnitude(Complex zeta, Complex m) => Complex.Abs(1 + m) * Complex.Abs(Exponential(m)) + Complex.Abs(zeta * m);

        public override Complex ZetaDerivative(Complex zeta, Complex m) => -m;

        public override double SecondDerivativeBound(Complex zeta, Complex center, double radius)
        {
            double k = Kappa;
            double exponent = k * (1 + 2 * center.Real + 2 * radius);
            return 4 * k * Math.Exp(exponent) * (Complex.Abs(1 + k * (1 + center)) + k * radius);
        }

        /// <summary>The real branch zeta(m) = (1 + m) exp(kappa (1 + 2m)) / m (the inverse of M on the real axis).</summary>
        public double ZetaOf(double m) => (1 + m) * Math.Exp(Kappa * (1 + 2 * m)) / m;

        /// <summary>Critical points of zeta(m): 2 kappa m^2 + 2 kappa m - 1 = 0, m = (-1 +- sqrt(1 + 2/kappa)) / 2.</summary>
        public double CriticalPoint(bool upper)
        {
            double root = Math.Sqrt(1 + 2 / Kappa);
            // Upper: (-1 + root)/2 written without cancellation for small 2/kappa.
            return upper ? (1 / Kappa) / (1 + root) : -(1 + root) / 2;
        }

        /// <summary>Upper edge of the support of the normalised law: zeta at the positive critical point.</summary>
        public double UpperEdge => ZetaOf(CriticalPoint(upper: true));

        /// <summary>Lower edge of the support of the normalised law: zeta at the critical point below -1.</summary>
        public double LowerEdge => ZetaOf(CriticalPoint(upper: false));

        /// <summary>
        /// Moments of the normalised law from Lagrange inversion of w = m / phi(m), phi(m) = (1 + m) exp(kappa (1 + 2m)):
        /// m_k = (e^{k kappa} / k) sum_{j=0}^{k-1} C(k, j) (2 k kappa)^{k-1-j} / (k-1-j)!.
        /// </summary>
        public double Moment(int k)
        {
            double sum = 0;
            double binomial = 1; // C(k, j)
            for (int j = 0; j < k; j++)
            {
                int n = k - 1 - j;
                double term = binomial;
                for (int i = 1; i <= n; i++) term *= 2 * k * Kappa / i;
                sum += term;
                binomial = binomial * (k - j) / (j + 1);
            }

            return Math.Exp(k * Kappa) * sum / k;
        }

        private Complex Exponential(Complex m) => Complex.Exp(Kappa * (1 + 2 * m));
    }
}
