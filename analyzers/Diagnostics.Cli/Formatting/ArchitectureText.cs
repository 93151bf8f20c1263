using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Cli.Formatting;

/// <summary>Short human descriptions of a network.</summary>
internal static class ArchitectureText
{
    /// <summary>"784→512→256→10"; runs of three or more equal widths are shortened: "784→500 (×9)→10".</summary>
    public static string Shape(NetworkArchitecture net)
    {
        var parts = new List<string>();
        var w = net.Widths;
        for (int i = 0; i < w.Count;)
        {
            int j = i;
            while (j + 1 < w.Count && w[j + 1] == w[i]) j++;
            int run = j - i + 1;
            if (run >= 3) parts.Add($"{w[i]} (\u00d7{run})");
            else parts.AddRange(Enumerable.Repeat(w[i].ToString(System.Globalization.CultureInfo.InvariantCulture), run));
            i = j + 1;
        }

        return string.Join("\u2192", parts);
    }

    /// <summary>Activation name with the leaky slope when there is one: "relu", "leaky_relu(0.1)".</summary>
    public static string Activation(Activation a) => a.Kind == ActivationKind.LeakyRelu ? $"leaky_relu({Num.G(a.Slope)})" : a.Name;

    /// <summary>
    /// One line: "relu 784→512→256→10 (last: identity), σ_w²=2, σ_b²=0" for uniform networks;
    /// lists for per-layer settings.
    /// </summary>
    public static string Summary(NetworkArchitecture net)
    {
        var layers = net.Layers;
        int depth = layers.Count;
        var acts = layers.Select(l => Activation(l.Activation)).ToArray();
        string activation;
        if (acts.Distinct().Count() == 1) activation = acts[0];
        else if (depth > 1 && acts.Take(depth - 1).Distinct().Count() == 1) activation = $"{acts[0]} (last: {acts[^1]})";
        else activation = "[" + string.Join(", ", Runs(acts)) + "]";

        string sw = List(layers.Select(l => l.WeightVariance));
        string sb = List(layers.Select(l => l.BiasVariance));
        string text = $"{activation} {Shape(net)}, \u03c3_w\u00b2={sw}";
        if (layers.Any(l => l.BiasVariance != 0)) text += $", \u03c3_b\u00b2={sb}";
        var inits = layers.Select(l => l.Weights).Distinct().ToArray();
        if (inits.Length > 1 || inits[0] != WeightDistribution.Gaussian)
            text += ", " + (inits.Length == 1 ? Init(inits[0]) : "[" + string.Join(", ", Runs(layers.Select(l => Init(l.Weights)).ToArray())) + "]");
        if (net.InputVariance != 1) text += $", q\u2080={Num.G(net.InputVariance)}";
        return text;
    }

    public static string Init(WeightDistribution w) => w == WeightDistribution.Orthogonal ? "orthogonal" : "gaussian";

    private static string List(IEnumerable<double> values)
    {
        var v = values.ToArray();
        return v.Distinct().Count() == 1 ? Num.G(v[0]) : "[" + string.Join(", ", Runs(v.Select(x => Num.G(x)).ToArray())) + "]";
    }

    /// <summary>Runs of three or more equal entries written once with a count: "tanh (×3)".</summary>
    private static IEnumerable<string> Runs(IReadOnlyList<string> items)
    {
        for (int i = 0; i < items.Count;)
        {
            int j = i;
            while (j + 1 < items.Count && items[j + 1] == items[i]) j++;
            int run = j - i + 1;
            if (run >= 3) yield return $"{items[i]} (\u00d7{run})";
            else for (int k = 0; k < run; k++) yield return items[i];
            i = j + 1;
        }
    }
}
