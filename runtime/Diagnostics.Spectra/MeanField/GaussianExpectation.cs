using System;
using System.Collections.Concurrent;
using MathNet.Numerics.Integration;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>Expectations E[f(sqrt(q) Z)] for a standard Gaussian Z.</summary>
    public static class GaussianExpectation
    {
        private static readonly ConcurrentDictionary<int, GaussHermiteRule> Rules = new ConcurrentDictionary<int, GaussHermiteRule>();
        private static readonly ConcurrentDictionary<int, GaussHermiteRule> HalfRules = new ConcurrentDictionary<int, GaussHermiteRule>();

        /// <summary>Half-width, in standard deviations, of the interval integrated; the Gaussian tail beyond it is below 1e-22.</summary>
        public const double TruncationInSigmas = 10;

        /// <summary>
        /// Half-width, in units of the activation's argument, of the window around 0 where the supported activations
        /// leave their asymptotes: beyond |x| = 40 they are linear or constant to below 1e-17 (sech^2 ~ 4 e^{-2|x|},
        /// sigmoid ~ e^{-|x|}, ELU ~ e^{x}, GELU ~ Phi(x)).
        /// </summary>
        public const double ActivationWindow = 40;

        /// <summary>
        /// E[f(sqrt(q) Z)] by adaptive Gauss-Kronrod quadrature (MathNet) on [-10, 10] standard deviations, split at z = 0
        /// and, when q is large, at z = +-40 / sqrt(q); robust to kinks and saturations of f.
        /// </summary>
        /// <remarks>
        /// At large q the whole structure of f(sqrt(q) z) (ELU's step of phi'^2 from e^{2 s z} to 1, tanh's dip of width
        /// 1 / sqrt(q)) is a boundary layer at z = 0, narrower than the spacing of the Gauss-Kronrod nodes of a panel
        /// [-10, 0]: both the Gauss and the Kronrod estimates miss it and agree, so the error estimate passes (ELU at
        /// q = 5.6e5 lost E[phi'^2] - 1/2 = 2.7e-4 entirely, which put a spurious root on its critical line). The panels
        /// [-40/s, 0] and [0, 40/s] resolve it. Tested against closed forms (ELU, GELU) and asymptotics (tanh).
        /// </remarks>
        /// <param name="f">The integrand, evaluated at sqrt(q) z.</param>
        /// <param name="q">Variance, &gt;= 0.</param>
        /// <param name="relativeTolerance">Target relative error of the adaptive rule on each panel (default 1e-10).</param>
        public static double Of(Func<double, double> f, double q, double relativeTolerance = 1e-10)
        {
            if (q < 0 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), "variance must be >= 0.");
            if (q == 0) return f(0);
            double s = Math.Sqrt(q);
            Func<double, double> g = z => f(s * z) * Math.Exp(-0.5 * z * z);
            double inner = Math.Min(TruncationInSigmas, ActivationWindow / s);
            double sum = Panel(g, -inner, 0, relativeTolerance) + Panel(g, 0, inner, relativeTolerance);
            if (inner < TruncationInSigmas)
            {
                // Outside the window f is at its asymptote: f(s z) e^{-z^2/2} is smooth there (a 32-point Gauss-Legendre
                // sum gives its size) up to terms below e^{-40} relative (e.g. x^2 e^{2x} on the left for SiLU). Each outer
                // panel is integrated to the tolerance relative to the whole integral, not to itself: a panel 1e-30 times
                // smaller than the rest would otherwise have its exponentially small boundary layer resolved to 1e-10 of
                // its own size (2^20 panels).
                double left = Rough(g, -TruncationInSigmas, -inner), right = Rough(g, inner, TruncationInSigmas);
                double scale = Math.Abs(sum) + left + right;
                sum += Panel(g, -TruncationInSigmas, -inner, OuterTolerance(relativeTolerance, left, scale))
                     + Panel(g, inner, TruncationInSigmas, OuterTolerance(relativeTolerance, right, scale));
            }

            return sum / Math.Sqrt(2 * Math.PI);
        }

        private static double Rough(Func<double, double> g, double a, double b) => GaussLegendreRule.Integrate(z => Math.Abs(g(z)), a, b, 32);

        private static double OuterTolerance(double relativeTolerance, double panel, double scale) =>
            panel > 0 ? Math.Min(0.1, relativeTolerance * Math.Max(1, scale / panel)) : 0.1;

        private static double Panel(Func<double, double> g, double a, double b, double relativeTolerance) =>
            GaussKronrodRule.Integrate(g, a, b, out _, out _, relativeTolerance, 20, 31);

        /// <summary>Nodes of the two Gauss-Hermite rules of <see cref="OfAnalytic"/>.</summary>
        internal const int CoarseHermitePoints = 24, FineHermitePoints = 40;

        /// <summary>Largest q for which <see cref="OfAnalytic"/> tries Gauss-Hermite (sqrt(q) = 2: f(sqrt(q) z) then varies on a scale of at least 1/2 in z).</summary>
        internal const double MaxHermiteVariance = 4;

        /// <summary>
        /// E[f(sqrt(q) Z)] for f analytic near the real axis (tanh, sigmoid, SiLU, softplus): for q &lt;= 4, Gauss-Hermite with
        /// <see cref="FineHermitePoints"/> nodes, accepted when the rule with <see cref="CoarseHermitePoints"/> nodes agrees with
        /// it to a tenth of <paramref name="relativeTolerance"/>; otherwise the adaptive rule <see cref="Of"/>.
        /// </summary>
        /// <remarks>
        /// Gauss-Hermite converges geometrically for integrands analytic in a strip around the real axis (tanh(s z) has
        /// its poles at z = i pi / (2 s)); the coarse rule's error is the larger one, so agreement bounds the fine rule's
        /// error by that difference. The comparison means something only while the nodes resolve f(s z): at large q both
        /// rules can miss the boundary layer at z = 0 together (their nodes nearest 0 are 0.25-0.32 away), hence the cap on q.
        /// 64 evaluations instead of the adaptive rule's several hundred; measured against quadrature of the definition in
        /// MeanField/ActivationMomentsTests.
        /// </remarks>
        public static double OfAnalytic(Func<double, double> f, double q, double relativeTolerance = 1e-10)
        {
            if (q < 0 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), "variance must be >= 0.");
            if (q == 0) return f(0);
            if (q > MaxHermiteVariance) return Of(f, q, relativeTolerance);
            double s = Math.Sqrt(q);
            double coarse = Sum(Hermite(CoarseHermitePoints), f, s);
            double fine = Sum(Hermite(FineHermitePoints), f, s);
            if (Math.Abs(fine - coarse) <= 0.1 * relativeTolerance * Math.Abs(fine)) return fine;
            return Of(f, q, relativeTolerance);
        }

        private static double Sum(GaussHermiteRule rule, Func<double, double> f, double s)
        {
            var nodes = rule.Nodes;
            var weights = rule.Weights;
            double sum = 0;
            for (int j = 0; j < nodes.Length; j++) sum += weights[j] * f(s * nodes[j]);
            return sum;
        }

        /// <summary>Probabilists' Gauss-Hermite rule with <paramref name="points"/> nodes (cached).</summary>
        public static GaussHermiteRule Hermite(int points) => Rules.GetOrAdd(points, k => GaussHermiteRule.Create(k));

        /// <summary>
        /// The Gauss rule of the normal weight restricted to (<paramref name="lower"/>, inf): nodes above
        /// <paramref name="lower"/> and weights summing to P(Z &gt; lower), exact for polynomials of degree below 2
        /// <paramref name="points"/> (not cached: the bound varies with q).
        /// </summary>
        public static GaussHermiteRule TruncatedHermite(double lower, int points) => GaussHermiteRule.CreateTruncated(lower, points);

        /// <summary>
        /// The Gauss rule of the half-normal weight: nodes y_j &gt; 0 and weights w_j with sum_j w_j f(y_j) = E[f(Z); Z &gt; 0]
        /// (weights summing to 1/2), exact for polynomials of degree below 2 <paramref name="points"/> (cached).
        /// </summary>
        public static GaussHermiteRule HalfHermite(int points) => HalfRules.GetOrAdd(points, k => GaussHermiteRule.CreateHalf(k));
    }

    /// <summary>
    /// Nodes x_j and weights w_j with sum_j w_j f(x_j) = E[f(Z)], Z ~ N(0, 1), exact for polynomials of degree
    /// below 2K. Computed by Golub-Welsch (eigen-decomposition of the Jacobi matrix, MathNet).
    /// </summary>
    public sealed class GaussHermiteRule
    {
        private GaussHermiteRule(double[] nodes, double[] weights)
        {
            Nodes = nodes;
            Weights = weights;
        }

        public double[] Nodes { get; }
        public double[] Weights { get; }

        internal static GaussHermiteRule Create(int points)
        {
            if (points < 1 || points > 400) throw new ArgumentOutOfRangeException(nameof(points), "Gauss-Hermite rules take 1..400 points.");
            var jacobi = new DenseMatrix(points, points);
            for (int k = 1; k < points; k++)
            {
                jacobi[k, k - 1] = Math.Sqrt(k);
                jacobi[k - 1, k] = Math.Sqrt(k);
            }

            var evd = jacobi.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
            var nodes = new double[points];
            var weights = new double[points];
            double total = 0;
            for (int j = 0; j < points; j++)
            {
                nodes[j] = evd.EigenValues[j].Real;
                double v = evd.EigenVectors[0, j];
                weights[j] = v * v;
                total += weights[j];
            }

            for (int j = 0; j < points; j++) weights[j] /= total;
            Array.Sort(nodes, weights);
            return new GaussHermiteRule(nodes, weights);
        }

        /// <summary>
        /// Gauss rule of the weight phi(y) on (0, inf): its recurrence coefficients by the Stieltjes procedure (orthonormal
        /// polynomials) on a discretisation of the weight (Gauss-Legendre, 48 points on each of 80 panels of [0, 40]: phi(40) is 1e-348, and
        /// the largest node of 200 points is about 28), then Golub-Welsch. Weights sum to 1/2.
        /// </summary>
        internal static GaussHermiteRule CreateHalf(int points)
        {
            if (points < 1 || points > 200) throw new ArgumentOutOfRangeException(nameof(points), "half-range Gauss-Hermite rules take 1..200 points.");
            var rule = CreateTruncated(0, points, 80, 48);
            // The weights are normalised to the discretised mass; the half-normal's is exactly 1/2.
            double total = 0;
            foreach (double v in rule.Weights) total += v;
            for (int j = 0; j < points; j++) rule.Weights[j] *= 0.5 / total;
            return rule;
        }

        /// <summary>
        /// Gauss rule of phi(y) on (lower, inf): recurrence coefficients by the Stieltjes procedure on Gauss-Legendre panels of
        /// width 1/2 (16 points each up to n = 64, 32 beyond) from <paramref name="lower"/> to max(lower, 0) + 2 sqrt(n) + 12 (beyond the largest node, about
        /// 2 sqrt(n) for the half-normal weight, by 12 standard deviations), then Golub-Welsch.
        /// </summary>
        internal static GaussHermiteRule CreateTruncated(double lower, int points) =>
            CreateTruncated(lower, points, (int)Math.Ceiling(2 * (Math.Max(lower, 0) + 2 * Math.Sqrt(points) + 12 - lower)), points <= 64 ? 16 : 32);

        private static readonly ConcurrentDictionary<int, GaussLegendreRule> UnitLegendre = new ConcurrentDictionary<int, GaussLegendreRule>();

        private static GaussHermiteRule CreateTruncated(double lower, int points, int panels, int panelPoints)
        {
            if (points < 1 || points > 400) throw new ArgumentOutOfRangeException(nameof(points), "truncated Gauss-Hermite rules take 1..400 points.");
            var unit = UnitLegendre.GetOrAdd(panelPoints, k => new GaussLegendreRule(-1, 1, k));
            double[] unitNodes = unit.Abscissas, unitWeights = unit.Weights; // MathNet returns copies: read once
            var x = new double[panels * panelPoints];
            var w = new double[x.Length];
            double mass = 0;
            for (int p = 0; p < panels; p++)
            {
                double centre = lower + 0.5 * p + 0.25;
                for (int i = 0; i < panelPoints; i++)
                {
                    int n = p * panelPoints + i;
                    x[n] = centre + 0.25 * unitNodes[i];
                    w[n] = 0.25 * unitWeights[i] * Math.Exp(-0.5 * x[n] * x[n]) / Math.Sqrt(2 * Math.PI);
                    mass += w[n];
                }
            }

            var alpha = new double[points];
            var off = new double[points]; // off[k]: the recurrence coefficient between k and k + 1 (off[points - 1] unused)
            var previous = new double[x.Length];
            var current = new double[x.Length];
            var next = new double[x.Length];
            for (int i = 0; i < x.Length; i++) current[i] = 1 / Math.Sqrt(mass);
            for (int k = 0; k < points; k++)
            {
                double a = 0;
                for (int i = 0; i < x.Length; i++) a += w[i] * x[i] * current[i] * current[i];
                alpha[k] = a;
                if (k == points - 1) break;
                double norm = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    next[i] = (x[i] - a) * current[i] - (k == 0 ? 0 : off[k - 1] * previous[i]);
                    norm += w[i] * next[i] * next[i];
                }

                norm = Math.Sqrt(norm);
                off[k] = norm;
                for (int i = 0; i < x.Length; i++) next[i] /= norm;
                (previous, current, next) = (current, next, previous);
            }

            // Golub-Welsch on the Jacobi matrix (alpha on the diagonal, off[k] between k and k + 1): nodes are its
            // eigenvalues, weights the squared first components of its eigenvectors.
            var nodes = alpha;
            var first = new double[points];
            first[0] = 1;
            TridiagonalEigen(nodes, off, first);
            var weights = new double[points];
            double total = 0;
            for (int j = 0; j < points; j++)
            {
                weights[j] = first[j] * first[j];
                total += weights[j];
            }

            for (int j = 0; j < points; j++) weights[j] *= mass / total;
            Array.Sort(nodes, weights);
            return new GaussHermiteRule(nodes, weights);
        }

        /// <summary>
        /// Eigenvalues of the symmetric tridiagonal matrix with diagonal <paramref name="d"/> and off-diagonal
        /// <paramref name="e"/> (e[i] between i and i + 1, e[n - 1] unused), in place, by the implicit QL method with
        /// Wilkinson shifts; <paramref name="z"/>, a row vector, is carried through the rotations (from e_1 it ends as the
        /// first components of the eigenvectors). Written when a rule took 0.4-0.7 ms; that time turned out to be MathNet's
        /// `GaussLegendreRule` returning copies of its arrays in the inner loop, not MathNet's eigen-decomposition
        /// (0.08 ms against 0.06 ms with this method at 13 points). Kept: switching back moves the analyzer's deciles of a
        /// few random draws by rounding that their walks amplify to 2e-3 relative.
        /// </summary>
        private static void TridiagonalEigen(double[] d, double[] e, double[] z)
        {
            int n = d.Length;
            if (n > 0) e[n - 1] = 0;
            for (int l = 0; l < n; l++)
            {
                for (int iteration = 0; ; iteration++)
                {
                    int m;
                    for (m = l; m < n - 1; m++)
                    {
                        double dd = Math.Abs(d[m]) + Math.Abs(d[m + 1]);
                        if (Math.Abs(e[m]) <= 1e-16 * dd) break;
                    }

                    if (m == l) break;
                    if (iteration == 100) throw new InvalidOperationException("the tridiagonal QL iteration did not converge.");
                    double g = (d[l + 1] - d[l]) / (2 * e[l]);
                    double r = Hypot(g, 1);
                    g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
                    double s = 1, c = 1, p = 0;
                    int i;
                    bool underflow = false;
                    for (i = m - 1; i >= l; i--)
                    {
                        double f = s * e[i], b = c * e[i];
                        e[i + 1] = r = Hypot(f, g);
                        if (r == 0)
                        {
                            d[i + 1] -= p;
                            e[m] = 0;
                            underflow = true;
                            break;
                        }

                        s = f / r;
                        c = g / r;
                        g = d[i + 1] - p;
                        r = (d[i] - g) * s + 2 * c * b;
                        p = s * r;
                        d[i + 1] = g + p;
                        g = c * r - b;
                        double zf = z[i + 1];
                        z[i + 1] = s * z[i] + c * zf;
                        z[i] = c * z[i] - s * zf;
                    }

                    if (underflow) continue;
                    d[l] -= p;
                    e[l] = g;
                    e[m] = 0;
                }
            }
        }

        private static double Hypot(double a, double b)
        {
            double x = Math.Abs(a), y = Math.Abs(b);
            if (x < y) (x, y) = (y, x);
            if (x == 0) return 0;
            double t = y / x;
            return x * Math.Sqrt(1 + t * t);
        }
    }
}
