using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Fast 1/z for the inner loops of the inversion.</summary>
    internal static class ComplexReciprocal
    {
        /// <summary>
        /// conj(z) / |z|^2 with one real division, instead of the three of <see cref="Complex"/>'s scaled (Smith) division;
        /// falls back to that division (written out, the same operations as Complex.One / z) when |z|^2 would leave the
        /// normal range, so the result is the same to rounding everywhere.
        /// </summary>
        /// <remarks>
        /// Inlined and free of calls: the inner loops of the inversion call it per atom, and a call in a loop makes the JIT
        /// keep the loop's accumulators on the stack (every XMM register is caller-saved on x64 Unix).
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Complex Of(Complex z)
        {
            Of(z.Real, z.Imaginary, out double re, out double im);
            return new Complex(re, im);
        }

        /// <summary>1 / (zr + i zi) = qr + i qi, as <see cref="Of(Complex)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Of(double zr, double zi, out double qr, out double qi)
        {
            double norm = zr * zr + zi * zi;
            if (norm > 1e-290 && norm < 1e290)
            {
                double inverse = 1 / norm;
                qr = zr * inverse;
                qi = -zi * inverse;
            }
            else if (Math.Abs(zi) < Math.Abs(zr))
            {
                double ratio = zi / zr;
                double denominator = zr + zi * ratio;
                qr = 1 / denominator;
                qi = -ratio / denominator;
            }
            else
            {
                double ratio = zr / zi;
                double denominator = zi + zr * ratio;
                qr = ratio / denominator;
                qi = -1 / denominator;
            }
        }
    }
}
