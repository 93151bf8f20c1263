using System;
using System.Globalization;
using System.Numerics;
using Diagnostics.Spectra.Inversion;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Residual
{
    /// <summary>
    /// Computes the universal large-depth law of the squared singular values of the input-output Jacobian
    /// J = prod_l (a I + D_l W_l) of a residual network at initialisation.
    /// </summary>
    /// <remarks>
    /// Tarnowski, Warchol, Jastrzebski, Tabor and Nowak (2019): eq. 25 for the law (see <see cref="ResidualMasterEquation"/>),
    /// eq. 27 for the signal propagation giving c (see <see cref="ResidualSignalPropagation"/>). The density
    /// -Im G(x + iy)/pi comes from certified solves of eq. 25 by <see cref="AnalyticLilypads"/>; edges, mean and moments
    /// are closed forms. Measured accuracy (tests in tests/Diagnostics.Spectra.Tests/Residual): eq. 25 residual below 1e-9;
    /// mass and mean of the integrated density within 2e-7 and 7.4e-7 for kappa &lt;= 4 on 400 points (1.9e-5 and 1e-4 at
    /// kappa = 600); against real residual networks of width 500 (ReLU, tanh, a = 1) the worst decile level error is
    /// 0.016 / 0.008 / 0.004 at L = 10 / 20 / 50 (deciles within 8% / 6% / 3%): the large-L law holds to a level
    /// error below 0.01 from L = 20 on (docs/engine/residual.md).
    /// </remarks>
    public static class ResidualJacobianSpectrum
    {
        /// <summary>Largest kappa = c/a^2 accepted: beyond it the upper edge (about 2 kappa e^{kappa+1}) leaves double precision.</summary>
        public const double MaxKappa = 600;

        /// <summary>Computes the law; throws a <see cref="SpectralException"/> subtype on bad input or failure.</summary>
        public static ResidualJacobianLaw Compute(ResidualArchitecture network, SpectrumOptions? options = null)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            options ??= new SpectrumOptions();
            CheckOptions(options);
            var propagation = ResidualSignalPropagation.Compute(network);
            double a = network.SkipScale;
            double c = propagation.EffectiveCumulant;
            double kappa = c / (a * a);
            if (!(kappa > 0) || kappa > MaxKappa)
                throw new SpectralConvergenceException(
                    $"the normalised cumulant c/a^2 = {Format(kappa)} is outside (0, {Format(MaxKappa)}]: the law spans more than double precision (skip scale a = {Format(a)} too small).");
            double scale = Math.Exp(2 * network.Depth * Math.Log(a));
            var equation = new ResidualMasterEquation(kappa);
            var moments = new double[options.MomentOrder];
            for (int k = 0; k < moments.Length; k++) moments[k] = equation.Moment(k + 1) * Math.Pow(scale, k + 1);
            if (!(scale > 0) || double.IsInfinity(scale) || !(moments[0] > 0) || double.IsInfinity(moments[0]))
                throw new SpectralConvergenceException(
                    $"the mean squared singular value a^(2L) e^(c/a^2) = {Format(moments[0])} is outside the range of double precision (a = {Format(a)}, L = {network.Depth}).");

            double lower = equation.LowerEdge, upper = equation.UpperEdge;
            if (double.IsInfinity(upper * scale) || !(lower * scale > 0))
                throw new SpectralConvergenceException(
                    $"the support [{Format(lower * scale)}, {Format(upper * scale)}] of the squared singular values is outside the range of double precision (a = {Format(a)}, L = {network.Depth}, c/a^2 = {Format(kappa)}).");
            var lilypads = new AnalyticLilypads(equation, options.Lilypads);
            var sampler = new DensitySampler(equation, lilypads, options);
            if (upper - lower <= 1e-9 * upper)
            {
                return new ResidualJacobianLaw(network, propagation, equation, scale, moments, scale * Math.Exp(kappa), scale * Math.Exp(kappa),
                    Array.Empty<double>(), Array.Empty<double>(), Array.Empty<double>(), 1, moments[0], sampler.Description, 0, 0, options, lilypads);
            }

            // Grid clustered at both (square-root) edges: cosine map in t, logarithmic in x when the support spans a factor > 2.
            int n = options.GridPoints;
            var grid = new double[n];
            var weight = new double[n]; // dx/dt at the midpoint nodes, over n
            double span = Math.Log(upper) - Math.Log(lower); // upper/lower itself can overflow (about e^{2 kappa})
            bool logarithmic = span > Math.Log(2);
            for (int k = 0; k < n; k++)
            {
                double t = (k + 0.5) / n;
                double s = (1 - Math.Cos(Math.PI * t)) / 2;
                double ds = Math.PI / 2 * Math.Sin(Math.PI * t);
                if (logarithmic)
                {
                    grid[k] = Math.Exp(Math.Log(lower) + span * s);
                    weight[k] = grid[k] * span * ds / n;
                }
                else
                {
                    grid[k] = lower + (upper - lower) * s;
                    weight[k] = (upper - lower) * ds / n;
                }
            }

            var density = new double[n];
            sampler.Sample(grid, density);

            // Midpoint rule in t: mass of each cell, then the normalised CDF at the nodes.
            double mass = 0, first = 0;
            for (int k = 0; k < n; k++)
            {
                mass += density[k] * weight[k];
                first += density[k] * weight[k] * grid[k];
            }

            var cdf = new double[n];
            double running = 0;
            for (int k = 0; k < n; k++)
            {
                double cell = density[k] * weight[k];
                cdf[k] = (running + cell / 2) / mass;
                running += cell;
            }

            for (int k = 0; k < n; k++)
            {
                grid[k] *= scale;
                density[k] /= scale;
            }

            return new ResidualJacobianLaw(network, propagation, equation, scale, moments, lower * scale, upper * scale,
                grid, density, cdf, mass, first * scale, sampler.Description, sampler.SmallestImaginaryPart * scale, lilypads.Certifications,
                options, lilypads);
        }

        /// <summary>Like <see cref="Compute"/> but returns false with the error message instead of throwing.</summary>
        public static bool TryCompute(ResidualArchitecture network, out ResidualJacobianLaw? law, out string? error, SpectrumOptions? options = null)
        {
            try
            {
                law = Compute(network, options);
                error = null;
                return true;
            }
            catch (SpectralException ex)
            {
                law = null;
                error = ex.Message;
                return false;
            }
        }

        private static void CheckOptions(SpectrumOptions options) => JacobianSpectrum.CheckGridOptions(options);

        private static string Format(double x) => x.ToString("g4", CultureInfo.InvariantCulture);

        /// <summary>Evaluates the density of the normalised law by chained lilypad solves.</summary>
        private sealed class DensitySampler
        {
            private readonly AnalyticLilypads _lilypads;
            private readonly SpectrumOptions _options;
            private readonly double _absoluteEta;
            private readonly double _width;
            private Complex _previousZeta;
            private Complex _previous;
            private bool _hasPrevious;

            public DensitySampler(ResidualMasterEquation equation, AnalyticLilypads lilypads, SpectrumOptions options)
            {
                // Relative Im z: y = eta min(x, support width), so that narrow laws (small kappa) are not smeared.
                _width = equation.UpperEdge - equation.LowerEdge;
                _lilypads = lilypads;
                _options = options;
                _absoluteEta = options.AbsoluteEta ?? 0;
                SmallestImaginaryPart = double.PositiveInfinity;
                Description = options.AbsoluteEta.HasValue
                    ? "y = " + options.AbsoluteEta.Value.ToString("g3", CultureInfo.InvariantCulture) + " (normalised units)"
                    : "y = " + options.Eta.ToString("g3", CultureInfo.InvariantCulture) + " min(x, support width)";
            }

            public string Description { get; }

            public double SmallestImaginaryPart { get; private set; }

            public void Sample(double[] grid, double[] density)
            {
                for (int k = 0; k < grid.Length; k++) density[k] = At(grid[k]);
            }

            /// <summary>Density of the normalised law at x: -Im((1 + m) / zeta) / pi, the root chained from the previous point.</summary>
            private double At(double x)
            {
                double y = _options.AbsoluteEta.HasValue ? _absoluteEta : _options.Eta * Math.Min(x, _width);
                SmallestImaginaryPart = Math.Min(SmallestImaginaryPart, y);
                var zeta = new Complex(x, y);
                Complex m = _hasPrevious ? _lilypads.SolveFrom(_previousZeta, _previous, zeta) : _lilypads.SolveFromProxy(zeta);
                Complex g = (1 + m) / zeta;
                if (g.Imaginary > BranchTolerance(g, m, zeta) && _hasPrevious)
                {
                    // Off the physical branch (Im G must be <= 0): redo from a fresh proxy.
                    m = _lilypads.SolveFromProxy(zeta);
                    g = (1 + m) / zeta;
                }

                if (g.Imaginary > BranchTolerance(g, m, zeta))
                    throw new SpectralConvergenceException($"the certified root at zeta = {zeta} is off the physical branch (Im G > 0).");
                _previous = m;
                _previousZeta = zeta;
                _hasPrevious = true;
                return Math.Max(0, -g.Imaginary / Math.PI);
            }

            private static double BranchTolerance(Complex g, Complex m, Complex zeta) =>
                1e-9 * Complex.Abs(g) + 1e-13 * (Complex.Abs(m) + 1) / Complex.Abs(zeta);
        }
    }
}
