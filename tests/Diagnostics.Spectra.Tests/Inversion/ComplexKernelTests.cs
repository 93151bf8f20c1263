using System.Numerics;
using Diagnostics.Spectra.Inversion;
using Xunit;

namespace Diagnostics.Spectra.Tests.Inversion;

/// <summary>
/// The reciprocal and modulus of the inversion's inner loops are written out (no calls, so that the JIT keeps the loops'
/// accumulators in registers). Inside the normal range of |z|^2 they are the one-division formulas; outside it the
/// reciprocal must be exactly <see cref="Complex"/>'s scaled division, and the modulus a scaled hypot as close as the
/// formulas inside.
/// </summary>
public sealed class ComplexKernelTests
{
    /// <summary>Components from 1e-320 (subnormal) to 1e308, both signs, and exact zeros.</summary>
    private static IEnumerable<Complex> Points()
    {
        var random = new Random(20261207);
        for (int k = 0; k < 20000; k++)
        {
            double Component()
            {
                if (random.Next(12) == 0) return 0;
                double magnitude = Math.Pow(10, -320 + 628 * random.NextDouble());
                return random.Next(2) == 0 ? magnitude : -magnitude;
            }

            yield return new Complex(Component(), Component());
        }

        yield return new Complex(double.PositiveInfinity, 1);
        yield return new Complex(1e300, double.NegativeInfinity);
        yield return new Complex(double.NaN, 1);
    }

    private static bool InNormalRange(Complex z)
    {
        double norm = z.Real * z.Real + z.Imaginary * z.Imaginary;
        return norm > 1e-290 && norm < 1e290;
    }

    private static void AssertSame(double expected, double actual, string what)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), what);
        else Assert.True(expected == actual, $"{what}: {actual:R} instead of {expected:R}");
    }

    [Fact]
    public void Reciprocal_IsComplexDivisionOutsideTheNormalRange_AndWithinFourUlpsInside()
    {
        int scaled = 0;
        foreach (var z in Points())
        {
            var expected = Complex.One / z;
            ComplexReciprocal.Of(z.Real, z.Imaginary, out double re, out double im);
            var fromComplex = ComplexReciprocal.Of(z);
            AssertSame(re, fromComplex.Real, $"Of(Complex) at {z}");
            AssertSame(im, fromComplex.Imaginary, $"Of(Complex) at {z}");
            if (InNormalRange(z))
            {
                double size = Complex.Abs(expected);
                Assert.True(Math.Abs(re - expected.Real) <= 4 * Math.Pow(2, -52) * size, $"real part at {z}: {re:R} vs {expected.Real:R}");
                Assert.True(Math.Abs(im - expected.Imaginary) <= 4 * Math.Pow(2, -52) * size, $"imaginary part at {z}: {im:R} vs {expected.Imaginary:R}");
            }
            else
            {
                scaled++;
                AssertSame(expected.Real, re, $"real part at {z}");
                AssertSame(expected.Imaginary, im, $"imaginary part at {z}");
            }
        }

        Assert.True(scaled > 1000, $"only {scaled} points outside the normal range");
    }

    [Fact]
    public void Modulus_IsWithinTwoUlpsOfComplexAbs_AndExactOnAxesAndAtInfinity()
    {
        int scaled = 0;
        foreach (var z in Points())
        {
            double expected = Complex.Abs(z);
            double modulus = ComplexModulus.Of(z.Real, z.Imaginary);
            AssertSame(modulus, ComplexModulus.Of(z), $"Of(Complex) at {z}");
            if (!InNormalRange(z)) scaled++;
            // Exact where a component is zero, infinite or NaN; otherwise within two ulps (the scaled formula outside
            // the normal range is not the runtime's hypot, which is 1 ulp closer at worst).
            if (z.Real == 0 || z.Imaginary == 0 || !double.IsFinite(z.Real) || !double.IsFinite(z.Imaginary))
                AssertSame(expected, modulus, $"at {z}");
            else
                Assert.True(Math.Abs(modulus - expected) <= 2 * Math.Pow(2, -52) * expected, $"at {z}: {modulus:R} vs {expected:R}");
        }

        Assert.True(scaled > 1000, $"only {scaled} points outside the normal range");
    }
}
