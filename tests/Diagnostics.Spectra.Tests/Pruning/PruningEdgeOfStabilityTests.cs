using System.Globalization;
using System.Text;
using Diagnostics.Spectra.Pruning;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Pruning;

/// <summary>
/// The observed edge of stability in s: the smallest density 1 - s at which a pruned-and-rescaled critical ReLU network
/// (3 square layers of width n) still has the dense Jacobian law (see <see cref="StabilityCriterion"/>), for random and
/// magnitude pruning at n = 256, 512, 1024, on a grid of mean kept weights per row d = (1 - s) n in steps of sqrt 2.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PruningEdgeOfStabilityTests
{
    private static readonly double[] Degrees = { 2, 2.83, 4, 5.66, 8, 11.3, 16, 22.6, 32, 45.3, 64, 128 };

    private readonly ITestOutputHelper _output;

    public PruningEdgeOfStabilityTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(256, "random", 4)]
    [InlineData(256, "magnitude", 4)]
    [InlineData(512, "random", 3)]
    [InlineData(512, "magnitude", 3)]
    [InlineData(1024, "random", 2)]
    [InlineData(1024, "magnitude", 2)]
    public void ObservedThreshold_IsFarBelowTheSufficientCondition(int n, string method, int draws)
    {
        var log = new StringBuilder();
        double threshold = PruningStabilityProbe.ObservedThreshold(n, 3, PruningSpecification.ParseMethod(method), Degrees, draws, seed: 100, log, out _);
        var condition = SparseStabilityCondition.For(n, 1);
        log.AppendLine($"observed threshold 1-s = {threshold.ToString("0.0000", CultureInfo.InvariantCulture)} (d = {(threshold * n).ToString("0.#", CultureInfo.InvariantCulture)} per row);"
            + $" sufficient condition log(n)^5/n = {condition.Bound.ToString("0.0", CultureInfo.InvariantCulture)}");
        _output.WriteLine(log.ToString());
        // The criterion can fail both ways: two weights per row on average must differ (13% empty rows, heavy tails),
        // 128 per row must match.
        Assert.False(double.IsNaN(threshold), "even d = 128 kept weights per row did not match the dense law:\n" + log);
        Assert.True(threshold > 2.0 / n, "d = 2 kept weights per row matched the dense law:\n" + log);
        Assert.True(condition.Bound > 1, "log(n)^5 / n should exceed 1 at these widths");
    }
}
