using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Fast 1/z for the inner loops of the inversion.</summary>
    internal static class ComplexReciprocal
    {
        /// <summary>
        /// conj(z) / |z|^2 with one real division, instead of the three of <see cref="Complex"/>'s scaled (Smith) division;
        /// falls back to it when |z|^2 would leave the normal range, so the result is the same to rounding everywhere.
        /// </summary>
        public static Complex Of(Complex z)
        {
            double re = z.Real, im = z.Imaginary;
            double norm = re * re + im * im;
            if (!(norm > 1e-290 && norm < 1e290)) return Complex.One / z;
            double inverse = 1 / norm;
            return new Complex(re * inverse, -im * inverse);
        }
    }
}
