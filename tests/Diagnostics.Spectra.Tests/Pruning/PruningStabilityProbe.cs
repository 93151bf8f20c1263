using System.Globalization;
using System.Text;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Diagnostics.Spectra.Pruning;
using Diagnostics.Spectra.Tests.MonteCarlo;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// Per-draw statistics of a sampled (pruned or dense) network against the engine's dense law: signed decile level
/// errors, zero fraction error and the largest eigenvalue over the engine's upper edge.
/// </summary>
internal sealed record DrawStatistics(double[] LevelErrors, double ZeroFractionError, double TopRatio)
{
    public static DrawStatistics Of(SquaredSingularValueLaw law, SampledSpectrum draw)
    {
        var c = SpectrumComparison.Compare("draw", law, draw);
        return new DrawStatistics(c.LevelErrors, c.ZeroFractionError, draw.LargestPerDraw[0] / law.SupportUpper);
    }
}

/// <summary>
/// The stability criterion used to find the observed edge of stability: the pruned-and-rescaled network matches the dense
/// law when, averaged over the same draws (common random numbers: the pruned draw prunes the dense draw's weights), each
/// decile level error, the zero-fraction error and the top-eigenvalue ratio differ from the dense network's own values by
/// at most 4 per-draw standard deviations of the dense statistic over sqrt(draws) plus a floor of 0.01 (level, zero fraction)
/// or 0.02 (top ratio). The dense spread is the finite-width fluctuation at that width (floored by its width scaling), so
/// the tolerance is width-justified.
/// </summary>
internal sealed class StabilityCriterion
{
    public const double LevelFloor = 0.01, TopFloor = 0.02;

    /// <param name="dense">Per-draw statistics of the dense network.</param>
    /// <param name="width">n: the per-draw standard deviations are floored at their width scalings (a few draws
    /// underestimate them): 0.3 / sqrt(n) for level errors (0.016 measured at n = 400 on ReLU networks, docs/engine),
    /// 0.5 / sqrt(n) for the zero fraction (binomial active count of a ReLU layer, p = 1/2), 0.5 n^(-2/3) for the top
    /// eigenvalue ratio (edge fluctuations).</param>
    public StabilityCriterion(IReadOnlyList<DrawStatistics> dense, int width)
    {
        Dense = dense;
        double root = Math.Sqrt(dense.Count);
        LevelMean = Enumerable.Range(0, 9).Select(k => dense.Average(d => d.LevelErrors[k])).ToArray();
        LevelTolerance = Enumerable.Range(0, 9)
            .Select(k => LevelFloor + 4 * Math.Max(Sd(dense.Select(d => d.LevelErrors[k])), 0.3 / Math.Sqrt(width)) / root).ToArray();
        ZeroMean = dense.Average(d => d.ZeroFractionError);
        ZeroTolerance = LevelFloor + 4 * Math.Max(Sd(dense.Select(d => d.ZeroFractionError)), 0.5 / Math.Sqrt(width)) / root;
        TopMean = dense.Average(d => d.TopRatio);
        TopTolerance = TopFloor + 4 * Math.Max(Sd(dense.Select(d => d.TopRatio)), 0.5 * Math.Pow(width, -2.0 / 3)) / root;
    }

    public IReadOnlyList<DrawStatistics> Dense { get; }
    public double[] LevelMean { get; }
    public double[] LevelTolerance { get; }
    public double ZeroMean { get; }
    public double ZeroTolerance { get; }
    public double TopMean { get; }
    public double TopTolerance { get; }

    /// <summary>Largest |pruned - dense| level shift over the deciles, in units of its tolerance (pass when &lt;= 1).</summary>
    public double LevelScore(IReadOnlyList<DrawStatistics> pruned) =>
        Enumerable.Range(0, 9).Max(k => Math.Abs(pruned.Average(d => d.LevelErrors[k]) - LevelMean[k]) / LevelTolerance[k]);

    public double ZeroScore(IReadOnlyList<DrawStatistics> pruned) => Math.Abs(pruned.Average(d => d.ZeroFractionError) - ZeroMean) / ZeroTolerance;

    public double TopScore(IReadOnlyList<DrawStatistics> pruned) => Math.Abs(pruned.Average(d => d.TopRatio) - TopMean) / TopTolerance;

    public bool Matches(IReadOnlyList<DrawStatistics> pruned) => LevelScore(pruned) <= 1 && ZeroScore(pruned) <= 1 && TopScore(pruned) <= 1;

    private static double Sd(IEnumerable<double> xs)
    {
        var a = xs.ToArray();
        if (a.Length < 2) return 0;
        double m = a.Average();
        return Math.Sqrt(a.Sum(x => (x - m) * (x - m)) / (a.Length - 1));
    }
}

/// <summary>Runs the dense and pruned draws of one width and method over a grid of densities.</summary>
internal static class PruningStabilityProbe
{
    /// <summary>ReLU, sigma_w^2 = 2 (critical), L square layers of width n, every layer pruned and rescaled.</summary>
    public static NetworkArchitecture Network(int n, int depth) =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(n, depth + 1).ToArray(), Activation.Relu, 2.0);

    public static List<DrawStatistics> Draws(NetworkArchitecture net, SquaredSingularValueLaw law, PruningSpecification pruning, int seed, int draws)
    {
        var list = new List<DrawStatistics>();
        for (int k = 0; k < draws; k++)
        {
            var sample = PrunedNetworkSampler.Sample(net, pruning, seed + k, 1);
            list.Add(DrawStatistics.Of(law, sample));
        }

        return list;
    }

    /// <summary>
    /// Smallest density (mean kept weights per row d = (1 - s) n on the grid) from which every larger grid density matches;
    /// NaN when even the largest fails. Writes one line per density.
    /// </summary>
    public static double ObservedThreshold(int n, int depth, PruningMethod method, double[] meanDegrees, int draws, int seed, StringBuilder log,
        out StabilityCriterion criterion)
    {
        var inv = CultureInfo.InvariantCulture;
        var net = Network(n, depth);
        var law = JacobianSpectrum.Compute(net, new SpectrumOptions { GridPoints = 400 });
        var dense = Draws(net, law, new PruningSpecification(0), seed, draws);
        criterion = new StabilityCriterion(dense, n);
        log.AppendLine($"n = {n}, L = {depth}, {PruningSpecification.MethodName(method)} pruning, rescaled, {draws} draws; dense: level errors "
            + string.Join(" ", criterion.LevelMean.Select(x => x.ToString("+0.000;-0.000", inv))) + $", top ratio {criterion.TopMean.ToString("0.000", inv)}"
            + $", tolerances level {criterion.LevelTolerance.Max().ToString("0.000", inv)} zero {criterion.ZeroTolerance.ToString("0.000", inv)} top {criterion.TopTolerance.ToString("0.000", inv)}");
        double threshold = double.NaN;
        bool allAbovePass = true;
        foreach (double d in meanDegrees.OrderByDescending(x => x))
        {
            double density = Math.Min(1, d / n);
            var pruned = Draws(net, law, new PruningSpecification(1 - density, method, rescale: true), seed, draws);
            bool ok = criterion.Matches(pruned);
            log.AppendLine($"  d = {d.ToString("0.#", inv),5}  1-s = {density.ToString("0.0000", inv)}  level score {criterion.LevelScore(pruned).ToString("0.00", inv),5}"
                + $"  zero score {criterion.ZeroScore(pruned).ToString("0.00", inv),5}  top score {criterion.TopScore(pruned).ToString("0.00", inv),5}"
                + $"  top ratio {pruned.Average(p => p.TopRatio).ToString("0.000", inv)}  level errors "
                + string.Join(" ", Enumerable.Range(0, 9).Select(k => pruned.Average(p => p.LevelErrors[k]).ToString("+0.000;-0.000", inv)))
                + (ok ? "  match" : "  DIFFERS"));
            if (ok && allAbovePass) threshold = density;
            else allAbovePass = false;
        }

        return threshold;
    }
}
