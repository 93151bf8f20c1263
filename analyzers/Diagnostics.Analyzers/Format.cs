using System;
using System.Globalization;

namespace Diagnostics.Analyzers
{
    /// <summary>Numbers as the messages print them: 3 significant digits, scientific outside [1e-3, 1e4).</summary>
    internal static class Format
    {
        public static string Number(double x)
        {
            if (double.IsNaN(x)) return "NaN";
            if (double.IsPositiveInfinity(x)) return "inf";
            if (x == 0) return "0";
            double a = Math.Abs(x);
            if (a >= 1e-3 && a < 1e4) return x.ToString("g3", CultureInfo.InvariantCulture);
            int exponent = (int)Math.Floor(Math.Log10(a));
            double mantissa = x / Math.Pow(10, exponent);
            if (Math.Round(Math.Abs(mantissa), 2) >= 10)
            {
                exponent++;
                mantissa /= 10;
            }

            return mantissa.ToString("0.##", CultureInfo.InvariantCulture) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }
    }
}
