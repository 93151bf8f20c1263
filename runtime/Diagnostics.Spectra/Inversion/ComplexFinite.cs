using System.Numerics;

namespace Diagnostics.Spectra.Inversion
{
    /// <summary>Finiteness of a complex value (neither part NaN nor infinite), for the guards of the inversions.</summary>
    internal static class ComplexFinite
    {
        public static bool Of(Complex z) => !double.IsNaN(z.Real) && !double.IsInfinity(z.Real) && !double.IsNaN(z.Imaginary) && !double.IsInfinity(z.Imaginary);
    }
}
