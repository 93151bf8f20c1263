using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// The limiting eigenvalue law of the dual conditional Fisher information H_L = (1/M) J_theta J_theta^T =
    /// sum_l (|x_{l-1}|^2 / M) d_l d_l^T (d_l = dh_L/dh_l) of a fully connected network with a linear last layer, and the
    /// learning-rate bound it implies.
    /// </summary>
    /// <remarks>
    /// <para>Hayase and Karakida (2021), "The Spectrum of Fisher Information of Deep Networks Achieving Dynamical Isometry",
    /// eq. 15: with K_l = (1/N_l) J^(l) J^(l)T for the network truncated at h_l, K_1 = (N_0/N_1) q_0 I and
    /// K_{l+1} = (N_l/N_{l+1}) [ qhat_l I + W_{l+1} D_l K_l D_l W_{l+1}^T ], qhat_l = E[phi(h_l)^2]. For square orthogonal
    /// weights this is mu_{l+1} = (qhat_l + sigma^2 .)_* (nu_l boxtimes mu_l); Gaussian weights add the Marchenko-Pastur
    /// factor S(m) = 1/(sigma^2 (lambda + m)) of W^T W, orthogonal rectangular ones the projection factor
    /// (1 + m)/(sigma^2 (min(1, lambda) + m)); the width ratio r = N_l/N_{l+1} enters as G_T = r G_rho + (1 - r)/z.</para>
    /// <para>Algorithm: every level keeps m = psi(w) and multiplies w by S_nu(m) S_pi(m), so z_L and G_L are explicit
    /// functions of the level-1 parameter m_1 (one scalar root per multi-atom D^2 law). lambda_max is the first critical
    /// point of the real branch z_L(m_1), m_1 in (0, inf), found by a bounded geometric scan and bisection; the density
    /// solves z_L(m_1) = x + i y down to y = Eta lambda_max. For chains whose D^2 laws have a single non-zero atom (ReLU,
    /// identity, hard tanh, hard sine) by Newton lilypads (Chhaibi, Daouda and Kahn 2022): every step passes the Kantorovich
    /// test |h| K &lt;= |z_L'|/2 with K a rigorous bound of |z_L''| from disc-arithmetic jets (<see cref="FisherCertificate"/>),
    /// except counted fallbacks next to edges (<see cref="FisherInformationLaw.UncertifiedPoints"/>); otherwise by a checked
    /// Newton continuation, each accepted point checked on the physical branch (Im z_l &gt;= 0, Im G_l &lt;= 0,
    /// Im omega_l &lt;= 0 at every level). Every loop is bounded; failure is a <see cref="SpectralConvergenceException"/>.</para>
    /// <para>Accuracy measured by the tests (docs/engine/fisher.md): eq. 32 mean exact to 1e-12; Theorem 3.2 two-hidden-layer
    /// laws (ReLU arcsine, hard tanh with atoms) atoms to 1e-12, lambda_max to 1e-6, density to 2.5e-6 relative; mass 1 within
    /// 1.1e-4 for Gaussian weights; sampled networks (N = 300-500): deciles within 1-2 standard errors of the draw spread,
    /// except shallow orthogonal smooth networks (banded 48-atom artefact, deciles off by up to 4% at depth 3).</para>
    /// </remarks>
    public static class FisherSpectrum
    {
        /// <summary>The continuous part starts where its density first exceeds this fraction of its peak (coarse pass, then bisection).</summary>
        public const double EdgeDensityFraction = 1e-6;

        /// <summary>Computes the whole law.</summary>
        /// <exception cref="InvalidArchitectureException">The network is not valid for this model.</exception>
        /// <exception cref="SpectralConvergenceException">A bounded iteration ran out of budget.</exception>
        public static FisherInformationLaw Compute(NetworkArchitecture network, FisherOptions? options = null)
        {
            options ??= new FisherOptions();
            Validate(network, options);
            var chain = FisherLayerChain.Build(network, options.SmoothActivationAtoms, options.DistinctSmoothAtoms);
            if (FisherPushForward.Applies(network)) return FisherPushForward.Compute(chain, options);
            double lambdaMax = UpperEdge(chain, options);
            var atoms = Atoms(chain);
            double lo = chain.LowerBound;
            double hi = lambdaMax;
            int n = options.GridPoints;
            double y = options.Eta * lambdaMax;
            var grid = new double[n];
            var density = new double[n];
            var cells = new double[n + 1];
            var cellMass = new double[n];
            if (hi - lo <= 1e-12 * hi)
            {
                return new FisherInformationLaw(network, chain.Propagation, chain.LevelMeans, lo, lambdaMax, atoms,
                    Array.Empty<double>(), Array.Empty<double>(), new[] { lo }, Array.Empty<double>(), options, y);
            }

            var solver = new GridSolver(chain, options, lambdaMax);
            double peak = 0;
            Func<double, double, double> densityAtHeight = (x, height) =>
            {
                var g = solver.Solve(x, height);
                // A descent that stalled above the target height happens in gaps of the support (branch points of the
                // discretised inverse near the real axis): the smoothed value there is leakage from nearby mass, not density.
                if (solver.LastReached > 10 * height) return 0;
                foreach (var a in atoms) g -= a.Mass / (new Complex(x, solver.LastReached) - a.Position);
                double d = -g.Imaginary / Math.PI;
                return d > 0 ? d : 0;
            };
            Func<double, double> densityAt = x => densityAtHeight(x, y);
            // Inside the support the density does not depend on y; outside, the Poisson leakage of nearby mass grows like y.
            Func<double, bool> inSupport = x =>
            {
                double d = densityAt(x);
                return d > EdgeDensityFraction * peak && densityAtHeight(x, 2 * y) < 1.8 * d;
            };

            // Coarse pass: where does the continuous part start? (a gap above the lower bound is common: atoms at c1,
            // arcsine edges). The edge is then located by bisection on the density and the fine grid starts there.
            // A point counts as inside the support when its density exceeds 1e-6 of the peak and does not scale with y
            // (the Poisson leakage of nearby mass, e.g. of an inverse-square-root edge, doubles when y doubles).
            const int Coarse = 64;
            var coarse = new double[Coarse];
            Func<int, double> CoarsePoint = k => lo + (hi - lo) * (1 - Math.Cos(Math.PI * (k + 0.5) / Coarse)) / 2;
            for (int k = 0; k < Coarse; k++)
            {
                coarse[k] = densityAt(CoarsePoint(k));
                peak = Math.Max(peak, coarse[k]);
            }

            int first = 0;
            while (first < Coarse && (coarse[first] <= EdgeDensityFraction * peak || !inSupport(CoarsePoint(first)))) first++;
            // Only for exact D^2 laws: discretised smooth ones give banded laws whose narrow low bands the coarse pass can miss.
            bool exact = chain.Levels.All(level => level.Nu.IsExact);
            if (exact && first > 0 && first < Coarse)
            {
                double a = CoarsePoint(first - 1), b = CoarsePoint(first);
                for (int it = 0; it < 60 && b - a > 1e-10 * hi; it++)
                {
                    double mid = 0.5 * (a + b);
                    if (inSupport(mid)) b = mid; else a = mid;
                }

                lo = a;
            }

            int edgeSearchUncertified = solver.UncertifiedPoints;
            for (int k = 0; k <= n; k++) cells[k] = lo + (hi - lo) * (1 - Math.Cos(Math.PI * k / n)) / 2;
            for (int k = 0; k < n; k++)
            {
                double theta = Math.PI * (k + 0.5) / n;
                double x = lo + (hi - lo) * (1 - Math.Cos(theta)) / 2;
                grid[k] = x;
                density[k] = densityAt(x);
                // Fejer's first rule in theta: dx = (hi - lo)/2 sin(theta) dtheta.
                cellMass[k] = density[k] * (hi - lo) / 2 * Math.Sin(theta) * Math.PI / n;
            }

            return new FisherInformationLaw(network, chain.Propagation, chain.LevelMeans, chain.LowerBound, lambdaMax, atoms, grid, density, cells, cellMass, options,
                Math.Max(y, solver.MaxImaginaryPartUsed))
            {
                StalledPoints = solver.StalledPoints,
                DensityCertified = solver.Certified,
                UncertifiedPoints = solver.Certified ? solver.UncertifiedPoints - edgeSearchUncertified : grid.Length,
                EdgeSearchUncertifiedPoints = solver.Certified ? edgeSearchUncertified : -1,
                BasinTests = solver.BasinTests,
            };
        }

        /// <summary>Like <see cref="Compute"/> but returns false (and the exception's message) instead of throwing.</summary>
        public static bool TryCompute(NetworkArchitecture network, FisherOptions? options, out FisherInformationLaw? law, out string? error)
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

        /// <summary>lambda_max(H_L) alone (no density): the fast path for analyzers, O(L) per scan point.</summary>
        public static double LargestEigenvalue(NetworkArchitecture network, FisherOptions? options = null)
        {
            options ??= new FisherOptions();
            Validate(network, options);
            var chain = FisherLayerChain.Build(network, options.SmoothActivationAtoms, options.DistinctSmoothAtoms);
            return FisherPushForward.Applies(network) ? FisherPushForward.LargestEigenvalue(chain) : UpperEdge(chain, options);
        }

        /// <summary>Exact mean eigenvalue of H_L (eq. 32 recursion) without computing the law.</summary>
        public static double Mean(NetworkArchitecture network)
        {
            Validate(network, new FisherOptions());
            return FisherLayerChain.Build(network, 1).Mean;
        }

        /// <summary>The largest stable SGD learning rate of the network for the given loss (see <see cref="LossNormalisation"/>).</summary>
        public static double MaxStableLearningRate(NetworkArchitecture network, LossNormalisation loss = LossNormalisation.HalfMeanSquaredError, FisherOptions? options = null) =>
            MaxStableLearningRate(LargestEigenvalue(network, options), network.Widths[network.Widths.Count - 1], loss);

        /// <summary>2/lambda_max for (1/(2M))|y - f|^2, 1/lambda_max for mse_loss(mean), 1/(M lambda_max) for mse_loss(sum) at batch 1.</summary>
        public static double MaxStableLearningRate(double lambdaMax, int outputWidth, LossNormalisation loss) => loss switch
        {
            LossNormalisation.HalfMeanSquaredError => 2 / lambdaMax,
            LossNormalisation.TorchMseLossMean => 1 / lambdaMax,
            LossNormalisation.TorchMseLossSum => 1 / (outputWidth * lambdaMax),
            _ => throw new ArgumentOutOfRangeException(nameof(loss)),
        };

        private static void Validate(NetworkArchitecture network, FisherOptions options)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            if (options.GridPoints < 10) throw new InvalidArchitectureException($"GridPoints must be >= 10, got {options.GridPoints}.");
            if (!(options.Eta > 0 && options.Eta < 1e-2)) throw new InvalidArchitectureException($"Eta must lie in (0, 1e-2), got {options.Eta}.");
        }

        /// <summary>
        /// Atoms of mu_L: mu_1 = delta_a; through a level the zero atom of rho is max(nu({0}), 1 - min(1, lambda)), a non-zero
        /// atom t of mu_l survives in nu boxtimes mu_l at t c with mass mu({t}) + nu({c}) - 1 (true D^2 atoms only: ELU/SELU's flat half among them),
        /// then at t c sigma^2 with mass + min(1, lambda) - 1 (orthogonal) or not at all (Gaussian: Marchenko-Pastur has
        /// no non-zero atom); the zero atom of rho becomes the atom c1 of K_{l+1} with mass 1 - r (1 - rho({0})).
        /// </summary>
        internal static SpectralAtom[] Atoms(FisherLayerChain chain)
        {
            const double MinMass = 1e-12;
            var atoms = new List<SpectralAtom> { new SpectralAtom(chain.A, 1) };
            foreach (var level in chain.Levels)
            {
                var nu = level.Nu;
                double pActive = Math.Min(1, level.Lambda);
                double rho0 = Math.Max(nu.ZeroMass, 1 - pActive);
                var next = new List<SpectralAtom>();
                double zeroMass = 1 - level.R * (1 - rho0);
                if (zeroMass > MinMass) next.Add(new SpectralAtom(level.C1, zeroMass));
                // The true atoms of D^2: all of a piecewise-linear law's, ELU/SELU's flat half (mass 1/2), none of a smooth one.
                var exactValues = nu.ExactValues;
                var exactMasses = nu.ExactMasses;
                if (exactValues.Length > 0 && level.Weights == WeightDistribution.Orthogonal)
                {
                    foreach (var t in atoms)
                    {
                        for (int j = 0; j < exactValues.Length; j++)
                        {
                            double mass = t.Mass + exactMasses[j] - 1 + pActive - 1;
                            if (mass > MinMass) next.Add(new SpectralAtom(level.C1 + level.C2 * t.Position * exactValues[j] * level.WeightVariance, level.R * mass));
                        }
                    }
                }

                atoms = next;
            }

            return atoms.OrderBy(a => a.Position).ToArray();
        }

        /// <summary>
        /// lambda_max: along m_1 in (0, inf) the physical real branch z_L(m_1) decreases from +inf to the upper edge, the
        /// first critical point (or to the top atom when m_1 -&gt; inf). Geometric scan, then bisection on the sign of dz_L/dm_1.
        /// </summary>
        internal static double UpperEdge(FisherLayerChain chain, FisherOptions options)
        {
            if (chain.Levels.Count == 0) return chain.A;
            var state = new ChainState(chain.Levels.Count);
            int points = Math.Max(20, options.EdgeScanPoints);
            // Start of the scan: m_1 = 1e-8, or lower where the branch does not yet decrease there (deep networks with
            // vanishing gains put the whole branch at tiny m_1); the scan then covers [start, 1e12] geometrically.
            double m = 1e-8;
            for (int down = 0; down < 70; down++)
            {
                var probe = state.Clone();
                if (EvaluateReal(chain, m, probe, out _, out double slope) && slope < 0) break;
                m *= 1e-4;
            }

            if (m < 1e-290) m = 1e-8;
            double ratio = Math.Pow(1e12 / m, 1.0 / points);
            double lastGood = double.NaN, lastZ = double.NaN;
            ChainState goodState = state.Clone();
            for (int k = 0; k <= points; k++, m *= ratio)
            {
                bool ok = EvaluateReal(chain, m, state, out double z, out double dz);
                if (ok && dz < 0 && (double.IsNaN(lastZ) || z < lastZ))
                {
                    lastGood = m;
                    lastZ = z;
                    goodState.CopyFrom(state);
                    continue;
                }

                if (double.IsNaN(lastGood))
                    throw new SpectralConvergenceException($"the real branch of the Fisher recursion is not decreasing at its start (m_1 = {m:g3}): cannot locate lambda_max.");
                // Bisection between the last decreasing point and the first point past the critical point.
                double lo = lastGood, hi = m;
                state.CopyFrom(goodState);
                // z_L is flat at the critical point: m_1 to 1e-10 relative gives lambda_max to ~1e-20 relative.
                for (int it = 0; it < 200 && hi - lo > 1e-10 * hi; it++)
                {
                    double mid = Math.Sqrt(lo * hi);
                    var trial = goodState.Clone();
                    if (EvaluateReal(chain, mid, trial, out double zm, out double dzm) && dzm < 0 && zm <= lastZ)
                    {
                        lo = mid;
                        lastZ = zm;
                        goodState.CopyFrom(trial);
                    }
                    else
                    {
                        hi = mid;
                    }
                }

                return lastZ;
            }

            // Still decreasing at m_1 = 1e12: the top of the law is an atom that z_L approaches.
            return lastZ;
        }

        private static bool EvaluateReal(FisherLayerChain chain, double m, ChainState state, out double z, out double dz)
        {
            bool ok = chain.Evaluate(new Complex(m, 0), state, out var zc, out var dzc, out _);
            z = zc.Real;
            dz = dzc.Real;
            return ok && z > 0 && !double.IsNaN(dz);
        }

        /// <summary>
        /// Continuation for z_L(m_1) = x + i y across the grid. Rational chains (single-atom D^2 laws): Newton lilypads, every
        /// step certified by the Kantorovich test of <see cref="FisherCertificate.TryCertifiedNewton"/>; other chains: checked
        /// Newton with step halving (branch checks only).
        /// </summary>
        internal sealed class GridSolver
        {
            /// <summary>Basin tests allowed when walking from the previous grid point at the target height before taking the mid-height route.</summary>
            private const int ChainingFailures = 12;

            /// <summary>Failed basin tests allowed in the certified descent from y_mid before the checked continuation finishes it.</summary>
            private const int CertifiedDescentFailures = 200;

            /// <summary>Doublings of Im z allowed when looking for a proxy above y_mid (1e300 / 1e-300 range is far below this).</summary>
            private const int MaxDoublings = 200;

            private readonly FisherLayerChain _chain;
            private readonly FisherOptions _options;
            private readonly double _scale;
            private readonly double _yMid;
            private readonly bool _certified;
            private Complex _midM;
            private ChainState _midState;
            private double _midX = double.NaN;
            // Last solved point at each target height (the edge search alternates y and 2y): reused along the grid.
            private readonly Dictionary<double, (double X, Complex M, ChainState State)> _low = new Dictionary<double, (double, Complex, ChainState)>();
            private Complex _lastG;
            private bool _checkedOnly;

            public GridSolver(FisherLayerChain chain, FisherOptions options, double scale)
            {
                _chain = chain;
                _options = options;
                _scale = scale;
                _yMid = 0.05 * scale;
                _midState = new ChainState(chain.Levels.Count);
                _certified = options.CertifyDensity && (options.CertifySmoothDensity || FisherCertificate.IsRational(chain));
            }

            /// <summary>Whether every accepted point passed the Kantorovich basin test (rational chains).</summary>
            public bool Certified => _certified;

            /// <summary>Points whose certified descent stalled next to an edge and that were finished by the checked Newton continuation.</summary>
            public int UncertifiedPoints { get; private set; }

            /// <summary>Points solved by the short walk from the previous grid point at the same height.</summary>
            public int ChainedPoints { get; private set; }

            /// <summary>Kantorovich basin tests run so far (certified path).</summary>
            public long BasinTests { get; private set; }

            /// <summary>Largest Im z at which a grid point had to stop (the continuation stalls at branch points of the discretised D^2 laws in gaps of the support).</summary>
            public double MaxImaginaryPartUsed { get; private set; }

            /// <summary>Level-1 parameter m_1 of the last <see cref="Solve"/> (the root of z_L(m_1) = x + i LastReached).</summary>
            public Complex LastM { get; private set; }

            /// <summary>Inner roots at <see cref="LastM"/> (warm starts for multi-atom levels).</summary>
            public ChainState? LastState { get; private set; }

            /// <summary>Im z reached by the last <see cref="Solve"/>.</summary>
            public double LastReached { get; private set; }

            /// <summary>Points whose descent stalled above 10 y (density set to 0 there).</summary>
            public int StalledPoints { get; private set; }

            public Complex Solve(double x, double y)
            {
                int failures = 0;
                var target = new Complex(x, y);
                // Reuse the previous grid point's solution at the same height: a short certified walk along Im z = y.
                if (_certified && _low.TryGetValue(y, out var low))
                {
                    var m = low.M;
                    var st = low.State.Clone();
                    int chainingFailures = _options.MaxContinuationFailures - ChainingFailures;
                    if (Walk(new Complex(low.X, y), target, ref m, st, ref chainingFailures, geometric: false, out double r, throwOnFailure: false) && r == y)
                    {
                        ChainedPoints++;
                        return Finish(x, y, r, m, st);
                    }
                }

                if (_certified && !double.IsNaN(_midX))
                {
                    // Certified walk along y_mid from the previous point; when it is blocked (a pole of the parametrisation
                    // near that line), start afresh from a proxy above this x instead.
                    var m = _midM;
                    var st = _midState.Clone();
                    int midFailures = 0;
                    if (Walk(new Complex(_midX, _yMid), new Complex(x, _yMid), ref m, st, ref midFailures, geometric: false, out _, throwOnFailure: false))
                    {
                        _midM = m;
                        _midState = st;
                    }
                    else
                    {
                        _midX = double.NaN;
                    }
                }
                else if (!double.IsNaN(_midX))
                {
                    Walk(new Complex(_midX, _yMid), new Complex(x, _yMid), ref _midM, _midState, ref failures, geometric: false, out _);
                }

                if (double.IsNaN(_midX))
                {
                    // Find a proxy: from the large-z linearisation far above the spectrum, then come down to y_mid.
                    Complex top;
                    Complex m;
                    var st = new ChainState(_chain.Levels.Count);
                    if (_certified)
                    {
                        // Double Im z until the basin test passes at the linearised solution at infinity.
                        double height = _yMid;
                        for (int d = 0; ; d++)
                        {
                            top = new Complex(x, height);
                            m = _chain.AsymptoticStart(top);
                            st = new ChainState(_chain.Levels.Count);
                            if (Step(top, ref m, st)) break;
                            if (d == MaxDoublings)
                                throw new SpectralConvergenceException($"Fisher density: no certified proxy above {new Complex(x, _yMid)} after {MaxDoublings} doublings of Im z.");
                            height *= 2;
                        }
                    }
                    else
                    {
                        top = new Complex(x, 10 * _scale);
                        m = _chain.AsymptoticStart(top);
                        if (!Step(top, ref m, st))
                            throw new SpectralConvergenceException($"Fisher density: no Newton convergence at the proxy point {top}.");
                    }

                    if (top.Imaginary > _yMid) Walk(top, new Complex(x, _yMid), ref m, st, ref failures, geometric: true, out _);
                    _midM = m;
                    _midState = st;
                }

                _midX = x;
                var m1 = _midM;
                var state = _midState.Clone();
                double reached;
                if (_certified)
                {
                    int descentFailures = _options.MaxContinuationFailures - CertifiedDescentFailures;
                    Walk(new Complex(x, _yMid), target, ref m1, state, ref descentFailures, geometric: true, out reached, allowStall: true, throwOnFailure: false);
                }
                else
                {
                    Walk(new Complex(x, _yMid), target, ref m1, state, ref failures, geometric: true, out reached, allowStall: true);
                }

                if (_certified && reached > y)
                {
                    // The certified descent stalled next to an edge of the support (a branch point of the inverse): redo the
                    // descent from the (certified) mid-height point with the checked Newton continuation; this point is not certified.
                    _checkedOnly = true;
                    m1 = _midM;
                    state = _midState.Clone();
                    try
                    {
                        Walk(new Complex(x, _yMid), target, ref m1, state, ref failures, geometric: true, out reached, allowStall: true);
                    }
                    finally
                    {
                        _checkedOnly = false;
                    }

                    UncertifiedPoints++;
                    return Finish(x, y, reached, m1, state, reusable: false);
                }

                return Finish(x, y, reached, m1, state);
            }

            private Complex Finish(double x, double y, double reached, Complex m, ChainState state, bool reusable = true)
            {
                LastReached = reached;
                LastM = m;
                LastState = state.Clone();
                if (reached <= 10 * y && reached > MaxImaginaryPartUsed) MaxImaginaryPartUsed = reached;
                if (reached > 10 * y) StalledPoints++;
                // Only certified points seed later certified walks.
                if (reached == y && reusable)
                {
                    if (_low.Count < 8 || _low.ContainsKey(y)) _low[y] = (x, m, state.Clone());
                }

                // The accepted point was checked on the physical branch.
                return _lastG;
            }

            /// <summary>
            /// Continuation from one target to another by dichotomy: try the whole step, halve it on failure, double it after a
            /// success (bounded by the failure budget). With <paramref name="allowStall"/>, a descent that stalls below
            /// 1e-3 lambda_max keeps the last accepted point. Returns false (or throws) when the budget runs out.
            /// </summary>
            private bool Walk(Complex from, Complex to, ref Complex m, ChainState state, ref int failures, bool geometric, out double reached,
                bool allowStall = false, bool throwOnFailure = true)
            {
                reached = from.Imaginary;
                double t = 0, step = geometric ? 0.25 : 1;
                double logFrom = Math.Log(from.Imaginary), logTo = Math.Log(to.Imaginary);
                int steps = Math.Max(1, (int)Math.Ceiling(Math.Abs(logFrom - logTo) / Math.Log(4)));
                // Certified steps may be long (the basin test decides): start with a factor 4^4 in Im z and allow the whole path.
                double maxStep = geometric ? (_certified && !_checkedOnly ? 1 : 4.0 / steps) : 1;
                if (geometric) step = _certified && !_checkedOnly ? Math.Min(1, 4.0 / steps) : 1.0 / steps;
                while (t < 1)
                {
                    double next = Math.Min(1, t + step);
                    var target = geometric
                        ? new Complex(from.Real + next * (to.Real - from.Real), Math.Exp(logFrom + next * (logTo - logFrom)))
                        : from + next * (to - from);
                    if (next == 1) target = to;
                    var trialM = m;
                    var trialState = state.Clone();
                    if (Step(target, ref trialM, trialState))
                    {
                        m = trialM;
                        state.CopyFrom(trialState);
                        t = next;
                        reached = target.Imaginary;
                        step = Math.Min(2 * step, maxStep);
                    }
                    else
                    {
                        step /= 2;
                        if (allowStall && step < 1e-6 && reached <= 1e-3 * _scale) return true;
                        // Certified descent: a step below a factor 4^(1/16) in Im z means the basin test is blocked (next to an
                        // edge, or K inflated by a nearby pole); the caller finishes with the checked continuation.
                        if (allowStall && geometric && _certified && !_checkedOnly && step < 1.0 / (1024 * steps)) return false;
                        if (++failures > _options.MaxContinuationFailures || step < 1e-12)
                        {
                            // Certified descents next to an edge of the support (a branch point of the inverse) can only move by a
                            // fraction of the distance to it per step: below 1e-3 lambda_max that is a stall like the above.
                            if (allowStall && reached <= 1e-3 * _scale) return true;
                            if (!throwOnFailure) return false;
                            throw new SpectralConvergenceException($"Fisher density: continuation to {to} stalled at {target} after {failures} failed steps.");
                        }
                    }
                }

                return true;
            }

            private bool Step(Complex target, ref Complex m, ChainState state)
            {
                if (!_certified || _checkedOnly) return Newton(target, ref m, state);
                BasinTests++;
                if (!FisherCertificate.TryCertifiedNewton(_chain, target, m, state, _options.MaxNewtonIterations, out var root, out var g)) return false;
                m = root;
                _lastG = g;
                return true;
            }

            /// <summary>Checked (not certified) Newton with step halving, for chains with multi-atom D^2 laws.</summary>
            private bool Newton(Complex target, ref Complex m, ChainState state)
            {
                double tol = Math.Max(1e-3 * target.Imaginary, 1e-14 * _scale);
                if (!_chain.Evaluate(m, state, out var z, out var dz, out _)) return false;
                var r = z - target;
                for (int it = 0; it < _options.MaxNewtonIterations; it++)
                {
                    if (Complex.Abs(r) <= tol)
                    {
                        if (!_chain.Evaluate(m, state, out _, out _, out var g, check: true)) return false;
                        _lastG = g;
                        return true;
                    }
                    if (dz == Complex.Zero) return false;
                    var step = r / dz;
                    bool accepted = false;
                    for (int h = 0; h < 30; h++)
                    {
                        var trial = m - step;
                        var ts = state.Clone();
                        if (_chain.Evaluate(trial, ts, out var zt, out var dzt, out _) && Complex.Abs(zt - target) < Complex.Abs(r))
                        {
                            m = trial;
                            state.CopyFrom(ts);
                            z = zt;
                            dz = dzt;
                            r = z - target;
                            accepted = true;
                            break;
                        }

                        step /= 2;
                    }

                    if (!accepted) return false;
                }

                return false;
            }
        }
    }
}
