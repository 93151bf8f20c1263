using System;
using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>
    /// Newton lilypads for analytic (transcendental) scalar master equations: solves f(zeta, m) = 0 at a target zeta in
    /// the upper half plane, every Newton start certified by a Kantorovich basin test.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Chhaibi, Daouda and Kahn (2022), Algorithm 1, extended from polynomial to analytic f. Basin test at a start m_0:
    /// with the Newton step h = -f(m_0)/f'(m_0), eta = |h|, beta = 1/|f'(m_0)| and K &gt;= sup |f''| over the closed disc
    /// of radius eta around m_1 = m_0 + h, accept iff beta K eta &lt;= 1/2. Then (Kantorovich's theorem, scalar complex
    /// case) Newton from m_0 converges quadratically to a root m* with |m* - m_1| &lt;= t* - eta &lt;= eta, where
    /// t* = (1 - sqrt(1 - 2 beta K eta)) / (beta K) &lt;= 2 eta. The disc around m_1 suffices: the majorant proof only
    /// uses the Lipschitz bound of f' on segments joining iterates, and every iterate m_k (k &gt;= 1) satisfies
    /// |m_k - m_1| &lt;= t_k - t_1 &lt; t* - eta &lt;= eta, while m_0 lies on the boundary of that disc. K comes from the
    /// equation (<see cref="AnalyticMasterEquation.SecondDerivativeBound"/>), which must be a rigorous bound: for
    /// polynomials from Taylor coefficients, for exponentials from |exp(w)| &lt;= exp(Re w_1 + |w - w_1|).
    /// </para>
    /// <para>
    /// Phases: find a proxy by doubling Im zeta above the target until the test passes at the solution at infinity;
    /// walk back to the target by dichotomy (halve the step after a failed test, double it after a success), each
    /// solution the start of the next step, a tangent predictor tried first; along a grid, start from the previous
    /// point's solution and fall back to a fresh proxy when that walk exceeds its budget. Every loop is bounded by a
    /// <see cref="LilypadOptions"/> budget; running out is a <see cref="SpectralConvergenceException"/>.
    /// </para>
    /// </remarks>
    public sealed class AnalyticLilypads
    {
        private readonly AnalyticMasterEquation _equation;
        private readonly LilypadOptions _options;

        public AnalyticLilypads(AnalyticMasterEquation equation, LilypadOptions? options = null)
        {
            _equation = equation ?? throw new ArgumentNullException(nameof(equation));
            _options = options ?? LilypadOptions.Default;
        }

        /// <summary>Number of basin tests run so far (cost indicator).</summary>
        public long Certifications { get; private set; }

        /// <summary>
        /// Runs the Kantorovich basin test at <paramref name="start"/> and, when it passes, Newton to convergence.
        /// Returns false (and leaves <paramref name="root"/> at <paramref name="start"/>) when the test fails or
        /// Newton does not reach the tolerance within the iteration cap.
        /// </summary>
        public bool TryCertifiedSolve(Complex zeta, Complex start, out Complex root)
        {
            Certifications++;
            root = start;
            Complex f = _equation.Value(zeta, start);
            Complex d = _equation.Derivative(zeta, start);
            if (!ComplexFinite.Of(f) || !ComplexFinite.Of(d)) return false;
            if (f == Complex.Zero) return true;
            double slope = Complex.Abs(d);
            if (!(slope > 0)) return false;
            Complex h = -f / d;
            double eta = Complex.Abs(h);
            Complex first = start + h;
            double bound = _equation.SecondDerivativeBound(zeta, first, eta);
            if (double.IsNaN(bound) || double.IsInfinity(bound)) return false;

            // Kantorovich: beta K eta <= 1/2 with beta = 1/|f'(m_0)|.
            if (!(eta * bound <= 0.5 * slope)) return false;

            // Newton from the certified start; all iterates stay in the disc of radius eta around the first one.
            Complex m = first;
            double radius = eta * (1 + 1e-8) + 1e-14 * (1 + Complex.Abs(first));
            for (int k = 0; k < _options.MaxNewtonIterations; k++)
            {
                Complex fm = _equation.Value(zeta, m);
                Complex dm = _equation.Derivative(zeta, m);
                if (!ComplexFinite.Of(fm) || !ComplexFinite.Of(dm) || dm == Complex.Zero) return false;
                Complex step = -fm / dm;
                m += step;
                if (Complex.Abs(m - first) > radius) return false; // impossible in exact arithmetic: round-off trouble
                // Converged: the step is below the tolerance, or at the round-off level of f (ill-conditioned roots,
                // e.g. m large near a point mass), where the certified root lies within that step.
                double noise = 16 * 1.1e-16 * _equation.ValueMagnitude(zeta, m) / Complex.Abs(dm);
                if (Complex.Abs(step) <= Math.Max(_options.Tolerance * Math.Max(1, Complex.Abs(m)), noise))
                {
                    root = m;
                    return true;
                }
            }

            return false;
        }

        /// <summary>Solves at <paramref name="target"/>, starting from a proxy found by doubling Im zeta.</summary>
        /// <exception cref="SpectralConvergenceException">No proxy or no certified walk within the budgets.</exception>
        public Complex SolveFromProxy(Complex target)
        {
            if (!(target.Imaginary > 0))
                throw new ArgumentOutOfRangeException(nameof(target), "the target must lie in the upper half plane.");

            // Find a proxy by doubling Im zeta until the basin test passes at the solution at infinity.
            Complex proxy = target;
            Complex here;
            int doublings = 0;
            while (!TryCertifiedSolve(proxy, _equation.SolutionAtInfinity, out here))
            {
                if (++doublings > _options.MaxDoublings)
                    throw new SpectralConvergenceException($"no proxy found above zeta = {target} after {_options.MaxDoublings} doublings of Im zeta.");
                proxy = new Complex(proxy.Real, 2 * proxy.Imaginary);
            }

            if (proxy == target) return here;

            // Walk back to the target by dichotomy.
            if (Walk(proxy, here, target, _options.MaxCertificationAttempts, out var solution)) return solution;
            throw new SpectralConvergenceException(
                $"the lilypad walk from the proxy {proxy} to zeta = {target} found no certified step within {_options.MaxCertificationAttempts} basin tests.");
        }

        /// <summary>
        /// Solves at <paramref name="target"/> starting from a solved point (<paramref name="from"/>, <paramref name="start"/>);
        /// falls back to <see cref="SolveFromProxy"/> when the chained walk needs more than the chaining budget.
        /// </summary>
        public Complex SolveFrom(Complex from, Complex start, Complex target)
        {
            if (Walk(from, start, target, _options.ChainingAttempts, out var solution)) return solution;
            return SolveFromProxy(target);
        }

        private bool Walk(Complex from, Complex start, Complex target, int budget, out Complex solution)
        {
            Complex here = from;
            Complex current = start;
            double step = Complex.Abs(target - here);
            int attempts = 0;
            while (true)
            {
                Complex remaining = target - here;
                double distance = Complex.Abs(remaining);
                bool last = step >= distance;
                Complex next = last ? target : here + remaining * (step / distance);

                // Predictor: the tangent dm/dzeta = -f_zeta / f_m (any start may be certified), then the current root.
                Complex slope = _equation.Derivative(here, current);
                Complex predicted = current - _equation.ZetaDerivative(here, current) / slope * (next - here);
                Complex trial = current;
                bool certified = (ComplexFinite.Of(predicted) && TryCertifiedSolve(next, predicted, out trial))
                    || TryCertifiedSolve(next, current, out trial);
                if (certified)
                {
                    here = next;
                    current = trial;
                    if (last)
                    {
                        solution = current;
                        return true;
                    }

                    step *= 2;
                }
                else
                {
                    step /= 2;
                    if (step <= 1e-15 * Complex.Abs(here))
                    {
                        solution = current;
                        return false;
                    }
                }

                if (++attempts > budget)
                {
                    solution = current;
                    return false;
                }
            }
        }

    }
}
