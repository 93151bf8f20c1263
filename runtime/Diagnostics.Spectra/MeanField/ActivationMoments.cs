using System;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>
    /// The two Gaussian moments mean-field theory needs: E[phi(sqrt(q) Z)^2] and E[phi'(sqrt(q) Z)^2].
    /// Closed forms for the piecewise-linear activations, adaptive quadrature otherwise.
    /// </summary>
    public static class ActivationMoments
    {
        /// <summary>E[phi(sqrt(q) Z)^2].</summary>
        public static double SecondMoment(Activation phi, double q)
        {
            switch (phi.Kind)
            {
                case ActivationKind.Identity: return q;
                case ActivationKind.Relu: return q / 2;
                case ActivationKind.LeakyRelu: return q * (1 + phi.Slope * phi.Slope) / 2;
                case ActivationKind.HardTanh:
                {
                    if (q == 0) return 0;
                    double a = 1 / Math.Sqrt(q);
                    double inside = SpecialFunctions.Erf(a / Math.Sqrt(2));
                    // E[Z^2; |Z| < a] = erf(a / sqrt 2) - 2 a pdf(a).
                    return q * (inside - 2 * a * Activation.StandardNormalPdf(a)) + (1 - inside);
                }
                default:
                    return GaussianExpectation.Of(x => { double y = phi.Evaluate(x); return y * y; }, q);
            }
        }

        /// <summary>E[phi'(sqrt(q) Z)^2], the mean of the law of D^2.</summary>
        public static double DerivativeSecondMoment(Activation phi, double q)
        {
            switch (phi.Kind)
            {
                case ActivationKind.Identity:
                case ActivationKind.HardSine:
                    return 1;
                case ActivationKind.Relu: return 0.5;
                case ActivationKind.LeakyRelu: return (1 + phi.Slope * phi.Slope) / 2;
                case ActivationKind.HardTanh: return q == 0 ? 1 : SpecialFunctions.Erf(1 / Math.Sqrt(2 * q));
                default:
                    return GaussianExpectation.Of(x => { double y = phi.Derivative(x); return y * y; }, q);
            }
        }

        /// <summary>P(phi'(sqrt(q) Z) != 0), the fraction of units that pass gradient.</summary>
        public static double ActiveFraction(Activation phi, double q)
        {
            switch (phi.Kind)
            {
                case ActivationKind.Relu: return 0.5;
                case ActivationKind.HardTanh: return q == 0 ? 1 : SpecialFunctions.Erf(1 / Math.Sqrt(2 * q));
                case ActivationKind.LeakyRelu: return phi.Slope == 0 ? 0.5 : 1;
                default: return 1;
            }
        }
    }
}
