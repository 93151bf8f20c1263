using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Fast |z| for the inner loops of the inversion.</summary>
    internal static class ComplexModulus
    {
        /// <summary>
        /// sqrt(re^2 + im^2) directly, which is several times cheaper than <see cref="Complex.Abs"/> (an overflow-safe
        /// hypot); falls back to a scaled hypot, written out, when the squares would leave the normal range, so the result
        /// is within two ulps of Complex.Abs everywhere (and equal to it on the axes and at infinity).
        /// </summary>
        /// <remarks>Inlined and free of calls, for the inner loops (see <see cref="ComplexReciprocal"/>).</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Of(Complex z) => Of(z.Real, z.Imaginary);

        /// <summary>|re + i im|, as <see cref="Of(Complex)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Of(double re, double im)
        {
            double norm = re * re + im * im;
            if (norm > 1e-290 && norm < 1e290) return Math.Sqrt(norm);
            double a = Math.Abs(re), b = Math.Abs(im);
            double small = a < b ? a : b, large = a < b ? b : a;
            if (small == 0) return large;
            if (double.IsPositiveInfinity(large) && !double.IsNaN(small)) return double.PositiveInfinity;
            double ratio = small / large;
            return large * Math.Sqrt(1 + ratio * ratio);
        }
    }
}
