using Diagnostics.Cli.Analysis;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Cli.Formatting;

/// <summary>What the regime of a law means, in one line, and what to change.</summary>
/// <param name="Name">"vanishing", "critical" or "exploding".</param>
/// <param name="Explanation">One line on what the quantiles say.</param>
/// <param name="Conditioning">One line on the spread of the non-zero part.</param>
/// <param name="Advice">One line on what to change; null when nothing needs to change.</param>
internal sealed record RegimeText(string Name, string Explanation, string Conditioning, string? Advice)
{
    public static string NameOf(SpectralRegime regime) => regime switch
    {
        SpectralRegime.Vanishing => "vanishing",
        SpectralRegime.Exploding => "exploding",
        _ => "critical",
    };

    public static RegimeText Describe(SquaredSingularValueLaw law)
    {
        var thresholds = law.Options.Regime;
        double q10 = law.QuantileNonZero(0.1), q50 = law.QuantileNonZero(0.5), q90 = law.QuantileNonZero(0.9);
        string name = NameOf(law.Regime);
        string explanation = law.Regime switch
        {
            SpectralRegime.Vanishing =>
                $"even the strongest directions shrink: q90 = {Num.G(q90)} < {Num.G(thresholds.Vanishing)}; a typical gradient norm is scaled by ~{Num.G(Math.Sqrt(q50), 2)} through the network",
            SpectralRegime.Exploding =>
                $"even the weakest directions grow: q10 = {Num.G(q10)} > {Num.G(thresholds.Exploding)}; a typical gradient norm is scaled by ~{Num.G(Math.Sqrt(q50), 2)} through the network",
            _ =>
                $"the strongest directions do not vanish (q90 = {Num.G(q90)} >= {Num.G(thresholds.Vanishing)}) and the weakest do not explode (q10 = {Num.G(q10)} <= {Num.G(thresholds.Exploding)}); the mean of the non-zero part is {Num.G(law.Mean / (1 - law.AtomAtZero))}",
        };

        string conditioning = law.IsPointMass
            ? "perfectly conditioned: every non-zero squared singular value is equal (dynamical isometry)"
            : law.IsWellConditioned
                ? $"well conditioned: q90/q10 spans {Num.G(law.Spread, 2)} decade(s) (< {Num.G(thresholds.WellConditionedDecades)})"
                : $"ill conditioned: q90/q10 spans {Num.G(law.Spread, 2)} decades (> {Num.G(thresholds.WellConditionedDecades)}), so gradient directions differ by ~{Num.G(Math.Pow(10, law.Spread / 2), 2)}x in norm";

        var advice = new List<string>();
        double hiddenChi = Criticality.HiddenChi(law.Network, law.Propagation.Chi);
        bool increase = law.Regime == SpectralRegime.Vanishing || (law.Regime == SpectralRegime.Critical && hiddenChi < 1);
        if (law.Regime != SpectralRegime.Critical || hiddenChi < 0.9 || hiddenChi > 1.1)
            advice.Add(ScaleAdvice(law, increase));
        if (!law.IsPointMass && !law.IsWellConditioned) advice.Add(ConditioningAdvice(law));
        return new RegimeText(name, explanation, conditioning, advice.Count == 0 ? null : string.Join("; ", advice));
    }

    private static string ConditioningAdvice(SquaredSingularValueLaw law)
    {
        var hidden = HiddenActivation(law.Network);
        if (hidden != null && (hidden.Kind == ActivationKind.Relu || (hidden.Kind == ActivationKind.LeakyRelu && hidden.Slope < 0.2)))
            return "the spread grows with depth, and for relu orthogonal weights do not remove it (Pennington et al. 2017); fewer layers narrow it";
        return "the spread grows with depth; orthogonal weights with a small pre-activation variance (small \u03c3_b\u00b2, \u03c7 = 1) narrow it";
    }

    private static string ScaleAdvice(SquaredSingularValueLaw law, bool increase)
    {
        var net = law.Network;
        string direction = increase ? "increase" : "decrease";
        var hidden = HiddenActivation(net);
        var hiddenLayers = net.Layers.Take(Criticality.HiddenCount(net)).ToArray();
        var hiddenVariances = hiddenLayers.Select(l => l.WeightVariance).Distinct().ToArray();
        double? exact = hidden == null ? null : Criticality.ExactCriticalWeightVariance(hidden);
        if (exact is double critical)
        {
            string chi = hidden!.Kind switch
            {
                ActivationKind.Relu => "\u03c3_w\u00b2/2",
                ActivationKind.LeakyRelu => "\u03c3_w\u00b2(1+s\u00b2)/2",
                _ => "\u03c3_w\u00b2",
            };
            string which = net.Depth > 1 ? " of the hidden layers" : "";
            if (hiddenVariances.Length == 1 && Math.Abs(hiddenVariances[0] / critical - 1) < 0.05)
                return $"the hidden layers are at the critical \u03c3_w\u00b2 = {Num.G(critical)} for {ArchitectureText.Activation(hidden)}; the other layers' \u03c7 set the regime (see the table)";
            string from = hiddenVariances.Length == 1 ? $" from {Num.G(hiddenVariances[0])}" : "";
            return $"{direction} \u03c3_w\u00b2{which}{from} to {Num.G(critical)}, the critical value for {ArchitectureText.Activation(hidden)} (\u03c7 = {chi} = 1 per layer)";
        }

        double? scale = Criticality.CriticalScale(net);
        if (scale is not double c) return $"{direction} \u03c3_w\u00b2 towards \u03c7 = 1 per layer (no uniform rescaling in [1e-4, 1e4] reaches it)";
        if (net.Layers.Select(l => l.WeightVariance).Distinct().Count() == 1)
            return $"{direction} \u03c3_w\u00b2 to about {Num.G(net.Layers[0].WeightVariance * c, 3)}: that gives a geometric-mean \u03c7 of 1 over the hidden layers for this depth and input variance (mean-field)";
        return $"{direction} \u03c3_w\u00b2: multiplying every layer's \u03c3_w\u00b2 by {Num.G(c, 3)} gives a geometric-mean \u03c7 of 1 over the hidden layers (mean-field)";
    }

    /// <summary>The activation of the hidden layers (all but the last) when they share one; the only one for depth 1.</summary>
    private static Activation? HiddenActivation(NetworkArchitecture net)
    {
        var hidden = net.Layers.Take(Criticality.HiddenCount(net));
        var distinct = hidden.Select(l => l.Activation).Distinct().ToArray();
        return distinct.Length == 1 ? distinct[0] : null;
    }
}
