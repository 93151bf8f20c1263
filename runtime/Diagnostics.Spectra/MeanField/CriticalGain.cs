using System;
using System.Globalization;
using System.Linq;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>
    /// Critical weight variances: where chi = sigma_w^2 E[phi'(sqrt(q) Z)^2] equals 1, so that gradients neither
    /// vanish nor explode on average.
    /// </summary>
    /// <remarks>
    /// Poole et al. (2016) and Schoenholz et al. (2017): the order-to-chaos line chi(q*) = 1 at the fixed point q* of
    /// q = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2. For positively homogeneous activations (identity, ReLU, leaky ReLU)
    /// chi does not depend on q and the critical value is 1 / E[phi'^2] (2 for ReLU). Tested against these closed
    /// forms and against sigma_w^2 = 1 for tanh without bias.
    /// </remarks>
    public static class CriticalGain
    {
        /// <summary>Iterations of the q recursion when looking for its fixed point. Default 5000.</summary>
        public const int MaxFixedPointIterations = 5000;

        /// <summary>
        /// Fixed point q* of q = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2 reached from q = 1 (0 if q collapses,
        /// +infinity if it grows without bound).
        /// </summary>
        public static double FixedPoint(Activation phi, double weightVariance, double biasVariance, double tolerance = 1e-12)
        {
            CheckVariances(weightVariance, biasVariance);
            double q = 1;
            for (int it = 0; it < MaxFixedPointIterations; it++)
            {
                double next = weightVariance * ActivationMoments.SecondMoment(phi, q) + biasVariance;
                if (next < 1e-300) return 0;
                if (next > 1e300 || double.IsInfinity(next)) return double.PositiveInfinity;
                if (Math.Abs(next - q) <= tolerance * Math.Max(q, 1e-300)) return next;
                q = next;
            }

            // Critical slowing down (chi -> 1) converges like 1/t: the last iterate is within the stated tolerance of
            // the limit only approximately; it is returned as the best estimate.
            return q;
        }

        /// <summary>chi at the fixed point for the given variances.</summary>
        public static double ChiAtFixedPoint(Activation phi, double weightVariance, double biasVariance)
        {
            double q = FixedPoint(phi, weightVariance, biasVariance);
            if (double.IsInfinity(q)) q = 1e12;
            return weightVariance * ActivationMoments.DerivativeSecondMoment(phi, q);
        }

        /// <summary>
        /// The critical sigma_w^2 for an activation and bias variance: chi(q*) = 1 on the order-to-chaos line.
        /// </summary>
        /// <exception cref="SpectralConvergenceException">No critical value in [1e-4, 1e4].</exception>
        public static double AtFixedPoint(Activation phi, double biasVariance = 0)
        {
            if (phi == null) throw new InvalidArchitectureException("activation is null.");
            CheckVariances(1, biasVariance);
            if (IsHomogeneous(phi)) return 1 / ActivationMoments.DerivativeSecondMoment(phi, 1);
            return SolveLog(s => Math.Log(ChiAtFixedPoint(phi, s, biasVariance)), $"{phi} with bias variance {Format(biasVariance)}");
        }

        /// <summary>
        /// The sigma_w^2, shared by every layer, for which the product of the chi_l of this finite network equals 1
        /// (its mean squared singular value is then N_L / N_0 for Gaussian weights). Takes the actual q_l of each layer.
        /// </summary>
        public static double ForNetwork(NetworkArchitecture network)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            return SolveLog(s => SignalPropagation.Compute(WithWeightVariance(network, s)).Chi.Sum(Math.Log), "this network");
        }

        /// <summary>The same network with every layer's weight variance replaced.</summary>
        public static NetworkArchitecture WithWeightVariance(NetworkArchitecture network, double weightVariance) =>
            new NetworkArchitecture(network.Widths,
                network.Layers.Select(l => new Layer(l.Activation, weightVariance, l.BiasVariance, l.Weights)).ToArray(),
                network.InputVariance);

        private static bool IsHomogeneous(Activation phi) =>
            phi.Kind == ActivationKind.Identity || phi.Kind == ActivationKind.Relu || phi.Kind == ActivationKind.LeakyRelu;

        /// <summary>Bisection in log sigma_w^2 on [1e-4, 1e4] for the root of an increasing function.</summary>
        private static double SolveLog(Func<double, double> f, string what)
        {
            double lo = Math.Log(1e-4), hi = Math.Log(1e4);
            double flo = f(Math.Exp(lo)), fhi = f(Math.Exp(hi));
            if (!(flo < 0) || !(fhi > 0))
                throw new SpectralConvergenceException($"no critical weight variance in [1e-4, 1e4] for {what}.");
            for (int it = 0; it < 200 && hi - lo > 1e-13; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (f(Math.Exp(mid)) < 0) lo = mid; else hi = mid;
            }

            return Math.Exp(0.5 * (lo + hi));
        }

        private static void CheckVariances(double weightVariance, double biasVariance)
        {
            if (!(weightVariance > 0) || double.IsInfinity(weightVariance))
                throw new InvalidArchitectureException($"weight variance must be a finite number > 0, got {Format(weightVariance)}.");
            if (!(biasVariance >= 0) || double.IsInfinity(biasVariance))
                throw new InvalidArchitectureException($"bias variance must be a finite number >= 0, got {Format(biasVariance)}.");
        }

        private static string Format(double x) => x.ToString("g4", CultureInfo.InvariantCulture);
    }
}
