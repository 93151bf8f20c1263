using System;
using Diagnostics.Spectra.Architecture;
using MathNet.Numerics;

namespace Diagnostics.Spectra.MeanField
{
    /// <summary>
    /// The two Gaussian moments mean-field theory needs: E[phi(sqrt(q) Z)^2] and E[phi'(sqrt(q) Z)^2].
    /// Closed forms for the piecewise-linear activations, GELU, ELU and SELU; quadrature otherwise.
    /// </summary>
    /// <remarks>
    /// GELU, phi(x) = x Phi(x), with x = s Z, q = s^2 (Stein's identity E[Z^2 g(Z)] = E[g(Z)] + E[g''(Z)] and the orthant
    /// probability E[Phi(s Z)^2] = 1/4 + asin(q / (1 + q)) / (2 pi)):
    /// E[phi^2] = q (1/4 + asin(q / (1 + q)) / (2 pi) + q / (pi (1 + q) sqrt(1 + 2 q))),
    /// E[phi'^2] = 1/4 + asin(q / (1 + q)) / (2 pi) + q / (pi (1 + q) sqrt(1 + 2 q)) + q / (2 pi (1 + 2 q)^{3/2}).
    /// ELU with alpha a (SELU: lambda times ELU with alpha 1.6733), with G(t) = E[e^{t Z}; Z &lt; 0] = e^{t^2/2} Phi(-t):
    /// E[phi'^2] = 1/2 + a^2 G(2 s), E[phi^2] = q / 2 + a^2 (G(2 s) - 2 G(s) + 1/2). Tested against adaptive quadrature
    /// (MeanField/ActivationMomentsTests).
    /// </remarks>
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
                case ActivationKind.Gelu: return q * GeluBracket(q);
                case ActivationKind.Elu: return EluSecondMoment(Activation.EluAlpha, q);
                case ActivationKind.Selu: return Activation.SeluScale * Activation.SeluScale * EluSecondMoment(Activation.SeluAlpha, q);
                case ActivationKind.Tanh:
                case ActivationKind.Sigmoid:
                case ActivationKind.Silu:
                case ActivationKind.Softplus:
                    return GaussianExpectation.OfAnalytic(x => { double y = phi.Evaluate(x); return y * y; }, q);
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
                case ActivationKind.Gelu: return GeluBracket(q) + q / (2 * Math.PI * Math.Pow(1 + 2 * q, 1.5));
                case ActivationKind.Elu: return 0.5 + Activation.EluAlpha * Activation.EluAlpha * LowerExponentialMoment(2 * Math.Sqrt(q));
                case ActivationKind.Selu:
                    return Activation.SeluScale * Activation.SeluScale * (0.5 + Activation.SeluAlpha * Activation.SeluAlpha * LowerExponentialMoment(2 * Math.Sqrt(q)));
                case ActivationKind.Tanh:
                case ActivationKind.Sigmoid:
                case ActivationKind.Silu:
                case ActivationKind.Softplus:
                    return GaussianExpectation.OfAnalytic(x => { double y = phi.Derivative(x); return y * y; }, q);
                default:
                    return GaussianExpectation.Of(x => { double y = phi.Derivative(x); return y * y; }, q);
            }
        }

        /// <summary>
        /// E[phi'(sqrt(q) Z)^2; Z &lt; 0] for ELU and SELU (closed form: a^2 scale^2 E[e^{2 sqrt(q) Z}; Z &lt; 0]), the share of the
        /// continuous half of their D^2 law in its mean.
        /// </summary>
        internal static double LowerHalfDerivativeSecondMoment(Activation phi, double q)
        {
            switch (phi.Kind)
            {
                case ActivationKind.Elu: return Activation.EluAlpha * Activation.EluAlpha * LowerExponentialMoment(2 * Math.Sqrt(q));
                case ActivationKind.Selu:
                    return Activation.SeluScale * Activation.SeluScale * Activation.SeluAlpha * Activation.SeluAlpha * LowerExponentialMoment(2 * Math.Sqrt(q));
                default: throw new ArgumentException($"{phi} has no flat half.", nameof(phi));
            }
        }

        /// <summary>E[GELU(sqrt(q) Z)^2] / q = 1/4 + asin(q / (1 + q)) / (2 pi) + q / (pi (1 + q) sqrt(1 + 2 q)).</summary>
        private static double GeluBracket(double q) =>
            0.25 + Math.Asin(q / (1 + q)) / (2 * Math.PI) + q / (Math.PI * (1 + q) * Math.Sqrt(1 + 2 * q));

        /// <summary>E[ELU_a(sqrt(q) Z)^2] = q / 2 + a^2 (G(2 s) - 2 G(s) + 1/2), s = sqrt(q).</summary>
        private static double EluSecondMoment(double alpha, double q) => q / 2 + alpha * alpha * NegativeSideSquare(Math.Sqrt(q));

        /// <summary>
        /// G(t) = E[e^{t Z}; Z &lt; 0] = e^{t^2/2} Phi(-t) = erfcx(t / sqrt 2) / 2 for t &gt;= 0.
        /// </summary>
        internal static double LowerExponentialMoment(double t) => 0.5 * ScaledErfc(t / Math.Sqrt(2));

        /// <summary>
        /// E[(e^{s Z} - 1)^2; Z &lt; 0] = G(2 s) - 2 G(s) + 1/2. Near s = 0 the three terms cancel to s^2 / 2: there the Taylor
        /// series of G (G' = t G - 1/sqrt(2 pi), G(0) = 1/2, so (k + 1) g_{k+1} = g_{k-1}) is summed termwise.
        /// </summary>
        internal static double NegativeSideSquare(double s)
        {
            if (s > 1) return LowerExponentialMoment(2 * s) - 2 * LowerExponentialMoment(s) + 0.5;
            // sum_k g_k (2^k - 2) s^k (the k = 0 and k = 1 terms vanish with the 1/2).
            double previous = 0.5, current = -1 / Math.Sqrt(2 * Math.PI); // g_0, g_1
            double sum = 0, power = s, twoPower = 2;
            for (int k = 1; k < 200; k++)
            {
                double next = previous / (k + 1); // g_{k+1}
                power *= s;
                twoPower *= 2;
                double term = next * (twoPower - 2) * power;
                sum += term;
                previous = current;
                current = next;
                if (Math.Abs(term) <= 1e-17 * Math.Abs(sum)) break;
            }

            return sum;
        }

        /// <summary>
        /// erfcx(x) = e^{x^2} erfc(x), x &gt;= 0: directly below 10, else its asymptotic series
        /// (1 / (x sqrt pi)) sum_n (-1)^n (2n - 1)!! / (2 x^2)^n to 20 terms (remainder below 1e-22 there).
        /// </summary>
        internal static double ScaledErfc(double x)
        {
            if (x < 10) return Math.Exp(x * x) * SpecialFunctions.Erfc(x);
            double u = 1 / (2 * x * x), term = 1, sum = 1;
            for (int n = 1; n <= 20; n++)
            {
                term *= -(2 * n - 1) * u;
                sum += term;
            }

            return sum / (x * Math.Sqrt(Math.PI));
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
