using System;
using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Fast |z| for the inner loops of the inversion.</summary>
    internal static class ComplexModulus
    {
        /// <summary>
        /// sqrt(re^2 + im^2) directly, which is several times cheaper than <see cref="Complex.Abs"/> (an overflow-safe
        /// hypot); falls back to it when the squares would leave the normal range, so the result is the same to
        /// rounding everywhere.
        /// </summary>
        public static double Of(Complex z)
        {
            double re = z.Real, im = z.Imaginary;
            double norm = re * re + im * im;
            return norm > 1e-290 && norm < 1e290 ? Math.Sqrt(norm) : Complex.Abs(z);
        }
    }
}
