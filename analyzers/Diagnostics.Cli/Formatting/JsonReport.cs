using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Cli.Formatting;

/// <summary>
/// The machine-readable result of <c>fpt spectrum --json</c>: one JSON object (System.Text.Json, invariant culture).
/// Non-finite numbers (e.g. an infinite spread when q10 is 0) are written as null.
/// </summary>
internal static class JsonReport
{
    public static string Write(SquaredSingularValueLaw law, bool includeDensity, string? svgPath)
    {
        var net = law.Network;
        var prop = law.Propagation;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("depth", net.Depth);
            w.WriteStartArray("widths");
            foreach (int n in net.Widths) w.WriteNumberValue(n);
            w.WriteEndArray();
            w.WriteStartArray("activations");
            foreach (var l in net.Layers) w.WriteStringValue(l.Activation.Name);
            w.WriteEndArray();
            Array(w, "weight_variances", net.Layers.Select(l => l.WeightVariance));
            Array(w, "bias_variances", net.Layers.Select(l => l.BiasVariance));
            w.WriteStartArray("init");
            foreach (var l in net.Layers) w.WriteStringValue(ArchitectureText.Init(l.Weights));
            w.WriteEndArray();
            if (net.Layers.Any(l => l.Activation.Kind == Spectra.Architecture.ActivationKind.LeakyRelu))
                Number(w, "leaky_slope", net.Layers.First(l => l.Activation.Kind == Spectra.Architecture.ActivationKind.LeakyRelu).Activation.Slope);
            Number(w, "input_variance", net.InputVariance);
            w.WriteNumber("grid_points", law.Options.GridPoints);

            Number(w, "atom_at_zero", Num.Snap(law.AtomAtZero));
            Number(w, "atom_at_zero_output", Num.Snap(law.AtomAtZeroOutput));
            Number(w, "mean", law.Mean);
            Array(w, "moments", law.Moments);
            Array(w, "support", new[] { law.SupportLower, law.SupportUpper });
            // A point mass at the top of the support (orthogonal networks whose active subspaces intersect).
            Number(w, "atom_at_top", Num.Snap(law.AtomAtTop));
            Number(w, "continuous_upper", law.ContinuousUpper);
            // Every point mass away from zero (position, mass in the whole law): the top atom above, and e.g. both ends of
            // an orthogonal leaky-ReLU network's spectrum.
            w.WriteStartArray("atoms_nonzero");
            foreach (var atom in law.NonZeroAtoms)
            {
                w.WriteStartObject();
                Number(w, "position", atom.Position);
                Number(w, "mass", Num.Snap(atom.Mass));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            Levels(w, "quantiles", law.Quantiles());
            Levels(w, "quantiles_nonzero", law.QuantilesNonZero());
            Array(w, "q", prop.Q);
            Array(w, "chi", prop.Chi);
            Array(w, "layer_gains", prop.JacobianGains);
            w.WriteString("regime", RegimeText.NameOf(law.Regime));
            Number(w, "spread_decades", law.Spread);
            w.WriteBoolean("well_conditioned", law.IsWellConditioned);
            Number(w, "total_mass", law.TotalMass);
            Number(w, "density_mean", law.DensityMean);
            Number(w, "tail_mass_below_grid", law.TailMassBelowGrid);
            w.WriteString("eta", law.EtaDescription);
            Number(w, "smallest_imaginary_part", law.SmallestImaginaryPart);
            w.WriteBoolean("point_mass", law.IsPointMass);
            w.WriteBoolean("purely_atomic", law.IsPurelyAtomic);
            w.WriteNumber("discretisation_bumps", law.DiscretisationBumps);
            w.WriteBoolean("rational_master_equation", law.IsRationalMasterEquation);
            if (svgPath != null) w.WriteString("svg", svgPath);
            if (includeDensity)
            {
                w.WriteStartObject("density");
                Array(w, "x", law.Grid);
                Array(w, "density", law.Density);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The JSON key of a quantile level: "0.1", "0.5"...</summary>
    public static string LevelKey(double level) => level.ToString(CultureInfo.InvariantCulture);

    /// <summary>An object of quantiles keyed by level.</summary>
    internal static void Levels(Utf8JsonWriter w, string name, IReadOnlyDictionary<double, double> values)
    {
        w.WriteStartObject(name);
        foreach (var (level, value) in values) Number(w, LevelKey(level), value);
        w.WriteEndObject();
    }

    /// <summary>A number, or null when it is not finite.</summary>
    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>An array of numbers, null where not finite.</summary>
    internal static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            if (double.IsFinite(v)) w.WriteNumberValue(v);
            else w.WriteNullValue();
        }

        w.WriteEndArray();
    }
}
