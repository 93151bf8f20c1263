using System;
using Diagnostics.Spectra.Inversion;

namespace Diagnostics.Spectra.Transforms
{
    /// <summary>Truncated power series with real coefficients (index k is the coefficient of x^k).</summary>
    internal static class PowerSeries
    {
        public static double[] Multiply(double[] f, double[] g)
        {
            int n = f.Length;
            var r = new double[n];
            for (int i = 0; i < n; i++)
            {
                if (f[i] == 0) continue;
                for (int j = 0; i + j < n; j++) r[i + j] += f[i] * g[j];
            }

            return r;
        }

        public static double[] Reciprocal(double[] f)
        {
            if (f[0] == 0) throw new SpectralConvergenceException("power series without constant term has no reciprocal.");
            int n = f.Length;
            var r = new double[n];
            r[0] = 1 / f[0];
            for (int k = 1; k < n; k++)
            {
                double s = 0;
                for (int j = 1; j <= k; j++) s += f[j] * r[k - j];
                r[k] = -s / f[0];
            }

            return r;
        }

        /// <summary>f(g(x)) for g(0) = 0, by Horner in series arithmetic.</summary>
        public static double[] Compose(double[] f, double[] g)
        {
            int n = f.Length;
            var r = new double[n];
            for (int k = n - 1; k >= 0; k--)
            {
                r = Multiply(r, g);
                r[0] += f[k];
            }

            return r;
        }

        public static double[] Power(double[] f, int p)
        {
            var r = new double[f.Length];
            r[0] = 1;
            for (int i = 0; i < p; i++) r = Multiply(r, f);
            return r;
        }

        /// <summary>The compositional inverse of f with f(0) = 0, f'(0) = 1, by fixed point g = x - (f(g) - g), one order per pass.</summary>
        public static double[] Revert(double[] f)
        {
            int n = f.Length;
            var g = new double[n];
            if (n > 1) g[1] = 1;
            for (int pass = 1; pass < n; pass++)
            {
                var fg = Compose(f, g);
                for (int k = 1; k < n; k++) g[k] -= fg[k] - (k == 1 ? 1 : 0);
            }

            return g;
        }

        /// <summary>(1 + a x)^p truncated.</summary>
        public static double[] Binomial(double a, int p, int length)
        {
            var r = new double[length];
            double c = 1;
            for (int k = 0; k < length && k <= p; k++)
            {
                r[k] = c;
                c *= a * (p - k) / (k + 1);
            }

            return r;
        }
    }

    /// <summary>
    /// Exact moments of the normalised law from the series of the master equation: with w = 1 / zeta,
    /// w = m H(m), H(m) = B(m) prod u_i(m)^{n_i} / A(m); reverting gives M(zeta) = sum_k mu_k zeta^{-k}.
    /// </summary>
    internal static class MomentSeries
    {
        /// <summary>mu_1..mu_order of the law of J^T J divided by its mean (mu_1 = 1).</summary>
        public static double[] NormalisedMoments(MasterEquation equation, int order)
        {
            int len = order + 1;
            var h = new double[len];
            h[0] = 1;
            foreach (var (a, k) in equation.AFactors()) h = PowerSeries.Multiply(h, PowerSeries.Binomial(a, k, len));
            h = PowerSeries.Reciprocal(h);
            foreach (var (e, k) in equation.BFactors()) h = PowerSeries.Multiply(h, PowerSeries.Binomial(e, k, len));
            foreach (var (rho, multiplicity, atoms, weights) in equation.GeneralFactors())
            {
                // Phi(s) = sum_k phi_k s^k with phi_k = sum_j pi_j c_j^k; u = 1 / Phi(rho m u) by fixed point, one order per pass.
                var phi = new double[len];
                for (int j = 0; j < atoms.Length; j++)
                {
                    double ck = 1;
                    for (int k = 0; k < len; k++)
                    {
                        phi[k] += weights[j] * ck;
                        ck *= atoms[j];
                    }
                }

                var u = new double[len];
                u[0] = 1;
                for (int pass = 0; pass < len; pass++)
                {
                    var s = new double[len];
                    for (int k = 0; k + 1 < len; k++) s[k + 1] = rho * u[k];
                    u = PowerSeries.Reciprocal(PowerSeries.Compose(phi, s));
                }

                h = PowerSeries.Multiply(h, PowerSeries.Power(u, multiplicity));
            }

            // Revert w = m H(m): m = w R(m) with R = 1 / H, one order per pass.
            var r = PowerSeries.Reciprocal(h);
            var m = new double[len];
            var w = new double[len];
            if (len > 1) w[1] = 1;
            for (int pass = 0; pass < len; pass++) m = PowerSeries.Multiply(w, PowerSeries.Compose(r, m));
            var moments = new double[order];
            Array.Copy(m, 1, moments, 0, order);
            return moments;
        }
    }
}
