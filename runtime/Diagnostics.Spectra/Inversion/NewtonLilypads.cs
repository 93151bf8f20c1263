using System;
using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Tolerances and budgets of the lilypad inversion; every loop is bounded by one of them.</summary>
    public sealed class LilypadOptions
    {
        /// <summary>Newton stops when the (scaled) step falls below this. Default 1e-13.</summary>
        public double Tolerance { get; set; } = 1e-13;

        /// <summary>Newton iterations after a passed basin test. Default 60 (quadratic convergence needs far fewer).</summary>
        public int MaxNewtonIterations { get; set; } = 60;

        /// <summary>Doublings of Im z when looking for a proxy. Default 2100 (enough to go from 1e-300 to 1e300).</summary>
        public int MaxDoublings { get; set; } = 2100;

        /// <summary>
        /// Basin tests allowed to walk from a proxy to its target. Default 200000 (about 0.5 s for a depth-100
        /// network with several distinct smooth layers; typical walks need a few hundred).
        /// </summary>
        public int MaxCertificationAttempts { get; set; } = 200_000;

        /// <summary>Basin tests tried from the previous point before starting afresh from a proxy. Default 2000.</summary>
        public int ChainingAttempts { get; set; } = 2000;

        internal static LilypadOptions Default { get; } = new LilypadOptions();
    }

    /// <summary>
    /// Newton lilypads (Chhaibi, Daouda and Kahn 2022, Algorithm 1): solves the master equation at a target zeta in
    /// the upper half plane with a convergence certificate at every step.
    /// </summary>
    /// <remarks>
    /// A Newton start is accepted only when the Kantorovich criterion h = alpha omega &lt;= 1/2 holds (alpha the Newton
    /// step, omega a Lipschitz bound of the preconditioned Jacobian on the ball of radius 2 alpha); then Newton
    /// converges to the unique root in that ball. Phases: find a proxy by doubling Im zeta until the test passes at the
    /// solution at infinity (m = 0); walk back to the target by dichotomy, halving the step when the test fails and
    /// doubling it after a success; along a grid, start from the previous point's solution, and fall back to a
    /// fresh proxy when that walk exceeds its budget. A chained walk takes the last step of the walk before it as its
    /// predictor's direction, and across decades (|zeta| changing by more than 4) it steps in log zeta. Both only move
    /// the Newton starts and the path inside the upper half plane; every accepted step is still certified.
    /// </remarks>
    internal sealed class NewtonLilypads
    {
        private readonly MasterEquation _equation;
        private readonly LilypadOptions _options;
        private readonly Complex[] _infinity;
        private readonly Complex[] _current;
        private readonly Complex[] _trial;
        private readonly Complex[] _predicted;
        private readonly Complex[] _previous;

        public NewtonLilypads(MasterEquation equation, LilypadOptions? options = null)
        {
            _equation = equation;
            _options = options ?? LilypadOptions.Default;
            int n = equation.Dimension;
            _infinity = new Complex[n];
            _current = new Complex[n];
            _trial = new Complex[n];
            _predicted = new Complex[n];
            _previous = new Complex[n];
            equation.Proxy(_infinity);
        }

        /// <summary>Number of basin tests run so far (for benchmarks and tests).</summary>
        public long Certifications { get; private set; }

        /// <summary>Solves at <paramref name="target"/>, starting from a proxy found by doubling Im zeta.</summary>
        public void SolveFromProxy(Complex target, Complex[] solution) => SolveFromProxy(target, solution, _options.MaxCertificationAttempts);

        /// <summary>Solves at <paramref name="target"/> from a proxy, with at most <paramref name="budget"/> basin tests for the walk back.</summary>
        public void SolveFromProxy(Complex target, Complex[] solution, int budget)
        {
            if (!(target.Imaginary > 0))
                throw new ArgumentOutOfRangeException(nameof(target), "the target must lie in the upper half plane.");

            // Find a proxy by doubling Im zeta until the basin test passes at the solution at infinity.
            Complex proxy = target;
            int doublings = 0;
            while (!Certify(proxy, _infinity, _current))
            {
                if (++doublings > _options.MaxDoublings)
                    throw new SpectralConvergenceException($"no proxy found above zeta = {target} after {_options.MaxDoublings} doublings of Im zeta.");
                proxy = new Complex(proxy.Real, 2 * proxy.Imaginary);
            }

            if (proxy == target)
            {
                Copy(_current, solution);
                return;
            }

            // Walk back to the target by dichotomy.
            if (!Walk(proxy, _current, target, solution, budget))
                throw new SpectralConvergenceException(
                    $"the lilypad walk from the proxy {proxy} to zeta = {target} found no certified step within {budget} basin tests "
                    + "(known cause: laws with an atom away from zero, e.g. orthogonal weights with hard tanh, or the Kantorovich bound of "
                    + "networks with many distinct smooth layers being too loose near the real axis).");
        }

        /// <summary>
        /// Solves at <paramref name="target"/> starting from a solved point (<paramref name="from"/>, <paramref name="start"/>);
        /// falls back to <see cref="SolveFromProxy(Complex, Complex[])"/> when the chained walk needs more than the chaining budget.
        /// </summary>
        public void SolveFrom(Complex from, Complex[] start, Complex target, Complex[] solution) =>
            SolveFrom(from, start, target, solution, _options.MaxCertificationAttempts);

        /// <summary>As <see cref="SolveFrom(Complex, Complex[], Complex, Complex[])"/>, the proxy walk limited to <paramref name="budget"/> basin tests.</summary>
        public void SolveFrom(Complex from, Complex[] start, Complex target, Complex[] solution, int budget)
        {
            // Across decades (the hard-edge probes walk |zeta| down by factors up to 1e24) the steps are taken in log zeta:
            // a halved step then halves the number of decades instead of stopping at half of |zeta|.
            double ratio = ComplexModulus.Of(target) / ComplexModulus.Of(from);
            bool geometric = StepInLogZeta && (ratio > GeometricRatio || ratio < 1 / GeometricRatio);
            if (Walk(from, start, target, solution, Math.Min(budget, _options.ChainingAttempts), geometric)) return;
            SolveFromProxy(target, solution, budget);
        }

        /// <summary>Chained walks across decades step in log zeta (default; off only to measure what it saves).</summary>
        internal bool StepInLogZeta { get; set; } = true;

        /// <summary>Ratio of |zeta| between the ends of a chained walk beyond which it steps in log zeta.</summary>
        private const double GeometricRatio = 4;

        private bool Walk(Complex from, Complex[] start, Complex target, Complex[] solution, int budget, bool geometric = false)
        {
            Complex here = from;
            Copy(start, _current);
            // Geometric walks step along the segment from log(from) to log(target) (arguments in (0, pi): the path stays
            // in the upper half plane); the step is then measured in log zeta.
            Complex logTarget = geometric ? Complex.Log(target) : Complex.Zero;
            double step = geometric ? ComplexModulus.Of(logTarget - Complex.Log(here)) : ComplexModulus.Of(target - here);
            int attempts = 0;
            bool hasPrevious = false;
            Complex previousZeta = Complex.Zero;
            if (_end != null && _endPrevious != null && from == _endZeta && SameVector(start, _end))
            {
                // Chained from where the last walk ended: its last step gives the predictor its direction from the start.
                hasPrevious = true;
                previousZeta = _endPreviousZeta;
                Copy(_endPrevious, _previous);
            }
            while (true)
            {
                Complex logHere = geometric ? Complex.Log(here) : Complex.Zero;
                Complex remaining = geometric ? logTarget - logHere : target - here;
                double distance = ComplexModulus.Of(remaining);
                bool last = step >= distance;
                Complex next = last ? target : geometric ? Complex.Exp(logHere + remaining * (step / distance)) : here + remaining * (step / distance);
                bool certified;
                if (_equation.IsRational)
                {
                    // Predictor: start Newton from the tangent extrapolation (any start may be certified).
                    Complex tangent = _equation.RationalTangent(here, _current[0]);
                    Complex dz = next - here;
                    _predicted[0] = _current[0] + tangent * dz;
                    // Higher order from the last two accepted points when they are near (the grid's previous points):
                    // a cubic through them with the tangent at here, kept only as a correction smaller than half the
                    // tangent step, so the start stays next to the tangent prediction.
                    double reach = 256 * Norm(dz);
                    if (_hasLast2 && _lastZeta != here && _lastZeta2 != here && _lastZeta2 != _lastZeta
                        && Norm(_lastZeta - here) <= reach && Norm(_lastZeta2 - here) <= reach)
                    {
                        // cubic: m(here + d) = m0 + t d + c2 d^2 + c3 d^3 through the two previous points
                        Complex d1 = _lastZeta - here, d2 = _lastZeta2 - here;
                        Complex r1 = (_lastM - _current[0] - tangent * d1) / (d1 * d1);
                        Complex r2 = (_lastM2 - _current[0] - tangent * d2) / (d2 * d2);
                        Complex c3 = (r1 - r2) / (d1 - d2);
                        Complex c2 = r1 - c3 * d1;
                        Complex correction = (c2 + c3 * dz) * dz * dz;
                        if (Norm(correction) <= 0.25 * Norm(tangent * dz)) _predicted[0] += correction;
                    }

                    certified = Certify(next, _predicted, _trial) || Certify(next, _current, _trial);
                }
                else
                {
                    // Predictor: m extrapolated along the last accepted step, the g_i continued to it inside certified
                    // discs; the plain start (the last solution) only when the g_i could not be continued there.
                    certified = false;
                    bool predictedTested = false;
                    if (hasPrevious)
                    {
                        Complex ratio = (next - here) / (here - previousZeta);
                        _predicted[0] = _current[0] + (_current[0] - _previous[0]) * ratio;
                        // Steps long relative to |zeta| (the hard-edge probes walk down decades): m + rank ~ C zeta^beta
                        // there, so the power law through the last two points predicts better than a straight line (the
                        // tests per law of 20 x Linear(256) on TorchSharp's defaults fall by 40-50%; the roots are the same).
                        double rank = _equation.RankFraction;
                        Complex u0 = _current[0] + rank, u1 = _previous[0] + rank;
                        if (ComplexModulus.Of(next - here) > 0.1 * ComplexModulus.Of(here) && u0 != Complex.Zero && u1 != Complex.Zero)
                        {
                            Complex power = u0 * Complex.Exp(Complex.Log(u0 / u1) / Complex.Log(here / previousZeta) * Complex.Log(next / here)) - rank;
                            if (ComplexFinite.Of(power))
                                _predicted[0] = power;
                        }

                        // When the predicted start's basin test fails, the plain start, farther from the root unless the
                        // prediction overshot, nearly always fails too: the step is halved instead (20-30% fewer basin tests
                        // on orthogonal smooth networks, the same roots on 520 random draws).
                        predictedTested = _equation.TryContinueBranches(_current, _predicted);
                        certified = predictedTested && Certify(next, _predicted, _trial);
                    }

                    if (!certified && !predictedTested) certified = Certify(next, _current, _trial);
                }

                if (certified)
                {
                    _lastZeta2 = _lastZeta;
                    _lastM2 = _lastM;
                    _hasLast2 = _hasLast;
                    _lastZeta = here;
                    _lastM = _current[0];
                    _hasLast = true;
                    previousZeta = here;
                    Copy(_current, _previous);
                    hasPrevious = true;
                    here = next;
                    Copy(_trial, _current);
                    if (last)
                    {
                        Copy(_current, solution);
                        RememberEnd(here, previousZeta);
                        return true;
                    }

                    step *= 2;
                }
                else
                {
                    step /= 2;
                    if (step <= (geometric ? 1e-15 : 1e-15 * ComplexModulus.Of(here))) return false;
                }

                if (++attempts > budget) return false;
            }
        }

        /// <summary>|z|^2.</summary>
        private static double Norm(Complex z) => z.Real * z.Real + z.Imaginary * z.Imaginary;

        /// <summary>Array.Copy, without its call overhead for the one-unknown (rational) case.</summary>
        private static void Copy(Complex[] from, Complex[] to)
        {
            if (from.Length == 1) to[0] = from[0];
            else Array.Copy(from, to, from.Length);
        }

        private Complex[]? _end, _endPrevious;
        private Complex _endZeta, _endPreviousZeta;

        /// <summary>Keeps the end of a walk and the point before it, for the predictor of a walk chained from there.</summary>
        private void RememberEnd(Complex end, Complex previousZeta)
        {
            int n = _current.Length;
            if (n == 1) return; // the rational predictor keeps its own history
            _end ??= new Complex[n];
            _endPrevious ??= new Complex[n];
            Copy(_current, _end);
            Copy(_previous, _endPrevious);
            _endZeta = end;
            _endPreviousZeta = previousZeta;
        }

        private static bool SameVector(Complex[] a, Complex[] b)
        {
            for (int i = 0; i < a.Length; i++)
                if (a[i] != b[i]) return false;
            return true;
        }

        private Complex _lastZeta, _lastM;
        private bool _hasLast, _hasLast2;
        private Complex _lastZeta2, _lastM2;

        private bool Certify(Complex zeta, Complex[] start, Complex[] solution)
        {
            Certifications++;
            return _equation.TryCertifiedSolve(zeta, start, solution, _options.Tolerance, _options.MaxNewtonIterations);
        }
    }
}
