using System;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>Per-layer mean-field quantities of a network at initialisation.</summary>
    public sealed class SignalPropagationResult
    {
        internal SignalPropagationResult(double[] q, double[] chi, double[] derivativeMeans, double[] activeFractions, double[] jacobianGains)
        {
            Q = q;
            Chi = chi;
            DerivativeMeans = derivativeMeans;
            ActiveFractions = activeFractions;
            JacobianGains = jacobianGains;
        }

        /// <summary>q_l, variance of the pre-activations h_l (index 0 is layer 1).</summary>
        public double[] Q { get; }

        /// <summary>chi_l = sigma_w^2 E[phi'(sqrt(q_l) Z)^2].</summary>
        public double[] Chi { get; }

        /// <summary>E[phi'(sqrt(q_l) Z)^2], the mean of the law of D_l^2.</summary>
        public double[] DerivativeMeans { get; }

        /// <summary>alpha_l = P(phi'(h_l) != 0).</summary>
        public double[] ActiveFractions { get; }

        /// <summary>
        /// Mean squared singular value contributed by layer l: chi_l N_l / N_{l-1} for Gaussian weights and
        /// chi_l min(1, N_l / N_{l-1}) for orthogonal ones. Their product is the mean of the law of J^T J.
        /// </summary>
        public double[] JacobianGains { get; }

        /// <summary>Mean eigenvalue of J^T J: the product of <see cref="JacobianGains"/>.</summary>
        public double JacobianMean
        {
            get
            {
                double p = 1;
                foreach (var g in JacobianGains) p *= g;
                return p;
            }
        }
    }

    /// <summary>
    /// Mean-field signal propagation: q_1 = v_1 q_0 + sigma_b^2, q_{l+1} = v_{l+1} E[phi_l(sqrt(q_l) Z)^2] + sigma_b^2,
    /// chi_l = sigma_w^2 E[phi_l'(sqrt(q_l) Z)^2].
    /// </summary>
    /// <remarks>
    /// Poole et al. (2016), Schoenholz et al. (2017), Pennington, Schoenholz and Ganguli (2017, eq. 3-5).
    /// v_l = sigma_w^2 for Gaussian weights; orthogonal weights W = sigma_w Q with N_l &gt; N_{l-1} (orthonormal
    /// columns) spread |x|^2 over N_l rows, so v_l = sigma_w^2 N_{l-1} / N_l there.
    /// </remarks>
    public static class SignalPropagation
    {
        public static SignalPropagationResult Compute(NetworkArchitecture network)
        {
            if (network == null) throw new InvalidArchitectureException("network is null.");
            int depth = network.Depth;
            var q = new double[depth];
            var chi = new double[depth];
            var dmean = new double[depth];
            var alpha = new double[depth];
            var gains = new double[depth];
            double incoming = network.InputVariance; // E[x_{l-1}^2] per unit
            for (int l = 0; l < depth; l++)
            {
                var layer = network.Layers[l];
                double fanIn = network.WidthProfile[l];
                double fanOut = network.WidthProfile[l + 1];
                double forward = layer.Weights == WeightDistribution.Orthogonal
                    ? layer.WeightVariance * Math.Min(1.0, fanIn / fanOut)
                    : layer.WeightVariance;
                q[l] = forward * incoming + layer.BiasVariance;
                if (double.IsNaN(q[l]) || double.IsInfinity(q[l]))
                    throw new SpectralConvergenceException($"pre-activation variance overflows at layer {l + 1} (q = {q[l]}).");
                dmean[l] = ActivationMoments.DerivativeSecondMoment(layer.Activation, q[l]);
                alpha[l] = ActivationMoments.ActiveFraction(layer.Activation, q[l]);
                chi[l] = layer.WeightVariance * dmean[l];
                double ratio = fanOut / fanIn;
                gains[l] = chi[l] * (layer.Weights == WeightDistribution.Orthogonal ? Math.Min(1.0, ratio) : ratio);
                incoming = ActivationMoments.SecondMoment(layer.Activation, q[l]);
            }

            return new SignalPropagationResult(q, chi, dmean, alpha, gains);
        }
    }
}
