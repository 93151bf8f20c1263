using System.Globalization;

namespace Diagnostics.Cli.Formatting;

/// <summary>Invariant-culture number formatting for people (tables, plot labels).</summary>
internal static class Num
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// <paramref name="digits"/> significant digits; plain notation between 1e-3 and 1e5, scientific (1.23e-07) outside;
    /// trailing zeros dropped.
    /// </summary>
    public static string G(double x, int digits = 4)
    {
        if (double.IsNaN(x)) return "NaN";
        if (double.IsPositiveInfinity(x)) return "inf";
        if (double.IsNegativeInfinity(x)) return "-inf";
        if (x == 0) return "0";
        double a = Math.Abs(x);
        if (a >= 1e-3 && a < 1e5)
        {
            int magnitude = (int)Math.Floor(Math.Log10(a));
            int decimals = Math.Clamp(digits - 1 - magnitude, 0, 15);
            double rounded = Math.Round(x, decimals, MidpointRounding.AwayFromZero);
            // Rounding may carry into the next power of ten (99.996 -> 100.00): recount.
            if (Math.Abs(rounded) >= 1e5) return Scientific(x, digits);
            return rounded.ToString("F" + decimals, Invariant).TrimEnd('0').TrimEnd('.') is var s && s.Length > 0 && s != "-" ? s : "0";
        }

        return Scientific(x, digits);
    }

    /// <summary>Scientific notation with a short exponent: 1.5e-07 becomes 1.5e-7.</summary>
    public static string Scientific(double x, int digits = 3)
    {
        string s = x.ToString("E" + Math.Max(0, digits - 1), Invariant); // -1.234E-007
        int e = s.IndexOf('E');
        string mantissa = s[..e];
        if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        int exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, Invariant);
        return mantissa + "e" + exponent.ToString(Invariant);
    }

    /// <summary>A probability or fraction, e.g. 0.5 or 0.9872.</summary>
    public static string P(double x) => G(x, 4);

    /// <summary>
    /// 0 for |x| &lt; 1e-12, else x: masses computed as 1 - (rank fraction) carry rounding noise of ~1e-16 where the
    /// exact value is 0.
    /// </summary>
    public static double Snap(double x) => Math.Abs(x) < 1e-12 ? 0 : x;

    /// <summary>Round-trip invariant text, for machine-readable output.</summary>
    public static string R(double x) => x.ToString("R", Invariant);
}
