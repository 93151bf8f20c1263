using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Diagnostics.Spectra.Residual;

namespace Diagnostics.Cli.Formatting;

/// <summary>
/// <c>fpt spectrum --residual --json</c>: the keys of <see cref="JsonReport"/> (per-layer arrays have one entry per residual
/// block; <c>chi</c> holds c_2^l = sigma_W^2 E[phi'(h^l)^2] and <c>layer_gains</c> a^2 + c_2^l/L) plus
/// <c>residual</c>, <c>skip_scale</c>, <c>width</c>, <c>effective_cumulant</c> (c), <c>kappa</c> (c/a^2),
/// <c>scale</c> (a^{2L}), <c>finite_depth_mean</c>, <c>weight_entry_variance</c> (sigma_W^2/(L N)) and <c>basin_tests</c>.
/// </summary>
internal static class ResidualJsonReport
{
    public static string Write(ResidualJacobianLaw law, bool includeDensity, string? svgPath)
    {
        var net = law.Network;
        var prop = law.Propagation;
        int depth = net.Depth;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteBoolean("residual", true);
            w.WriteNumber("depth", depth);
            w.WriteNumber("width", net.Width);
            w.WriteStartArray("widths");
            for (int l = 0; l <= depth; l++) w.WriteNumberValue(net.Width);
            w.WriteEndArray();
            w.WriteStartArray("activations");
            for (int l = 0; l < depth; l++) w.WriteStringValue(net.Activation.Name);
            w.WriteEndArray();
            Array(w, "weight_variances", Enumerable.Repeat(net.WeightVariance, depth));
            Number(w, "weight_entry_variance", net.WeightEntryVariance);
            Array(w, "bias_variances", Enumerable.Repeat(net.BiasVariance, depth));
            w.WriteStartArray("init");
            for (int l = 0; l < depth; l++) w.WriteStringValue("gaussian");
            w.WriteEndArray();
            if (net.Activation.Kind == Spectra.Architecture.ActivationKind.LeakyRelu) Number(w, "leaky_slope", net.Activation.Slope);
            Number(w, "skip_scale", net.SkipScale);
            Number(w, "input_variance", net.InputVariance);
            w.WriteNumber("grid_points", law.Options.GridPoints);

            Number(w, "effective_cumulant", law.EffectiveCumulant);
            Number(w, "kappa", law.Kappa);
            Number(w, "scale", law.Scale);
            Number(w, "atom_at_zero", law.AtomAtZero);
            Number(w, "atom_at_zero_output", law.AtomAtZeroOutput);
            Number(w, "mean", law.Mean);
            Number(w, "finite_depth_mean", law.FiniteDepthMean);
            Array(w, "moments", law.Moments);
            Array(w, "support", new[] { law.SupportLower, law.SupportUpper });
            Levels(w, "quantiles", law.Quantiles());
            Levels(w, "quantiles_nonzero", law.QuantilesNonZero());
            Array(w, "q", prop.Q);
            Array(w, "chi", prop.C2);
            Array(w, "layer_gains", prop.LayerGains);
            w.WriteString("regime", RegimeText.NameOf(law.Regime));
            Number(w, "spread_decades", law.Spread);
            w.WriteBoolean("well_conditioned", law.IsWellConditioned);
            Number(w, "total_mass", law.TotalMass);
            Number(w, "density_mean", law.DensityMean);
            Number(w, "tail_mass_below_grid", law.TailMassBelowGrid);
            w.WriteString("eta", law.EtaDescription);
            Number(w, "smallest_imaginary_part", law.SmallestImaginaryPart);
            w.WriteBoolean("point_mass", law.IsPointMass);
            w.WriteBoolean("rational_master_equation", false);
            w.WriteNumber("basin_tests", law.Certifications);
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

    private static void Levels(Utf8JsonWriter w, string name, IReadOnlyDictionary<double, double> values) => JsonReport.Levels(w, name, values);

    private static void Number(Utf8JsonWriter w, string name, double value) => JsonReport.Number(w, name, value);

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values) => JsonReport.Array(w, name, values);
}
