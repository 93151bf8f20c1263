using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Diagnostics.Spectra.Tests.MonteCarlo;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>
/// ELU/SELU's flat half (phi' constant for h &gt; 0: an exact atom of mass 1/2 in D^2) gives the Fisher law of orthogonal
/// networks atoms (Belinschi's rule along the chain). Before 2026-12-08 the smooth law was a Gauss-Hermite discretisation
/// with no true atom and these were not listed.
/// </summary>
public sealed class FisherFlatHalfAtomTests(ITestOutputHelper output)
{
    /// <summary>
    /// Orthogonal 400 -> 300 SELU, then a linear orthogonal 300 -> 200: H = c1 I + c2 W_2 D_1^2 W_2^T, and W_2 compresses
    /// D_1^2 (half its entries equal to lambda^2) by t = 2/3, so the eigenvalue c1 + c2 sigma^2 lambda^2 has mass
    /// (1/2 + 2/3 - 1) / (2/3) = 1/4. In a sampled network it is an exact multiple eigenvalue of multiplicity
    /// #(h_1 &gt; 0) - 100: binomial, sd 8.7/200 = 0.043 per draw, 0.015 over 8 draws; tolerance 0.06 (4 sd; it tells 1/4
    /// from no atom). Its position moves with |x|^2 from draw to draw (a few percent), so it is compared per draw, 8%.
    /// </summary>
    [Fact]
    [Trait("Category", "MonteCarlo")]
    public void OrthogonalSelu_FlatHalfAtom_MatchesSampledNetworks()
    {
        var network = NetworkArchitecture.Uniform(new[] { 400, 300, 200 }, Activation.Parse("selu"), 2, 0, WeightDistribution.Orthogonal, Activation.Identity);
        var law = FisherSpectrum.Compute(network);
        var atom = Assert.Single(law.Atoms);
        Assert.Equal(0.25, atom.Mass, 1e-12);
        double fraction = 0;
        const int Draws = 8;
        for (int k = 0; k < Draws; k++)
        {
            var e = FisherSampler.SampleOnce(network, new GaussianSource(500 + 13 * k));
            Array.Sort(e);
            // The longest run of eigenvalues equal to 1e-9 relative.
            int best = 1, run = 1;
            double value = e[0];
            for (int i = 1; i < e.Length; i++)
            {
                run = Math.Abs(e[i] - e[i - 1]) <= 1e-9 * Math.Abs(e[i]) ? run + 1 : 1;
                if (run > best)
                {
                    best = run;
                    value = e[i];
                }
            }

            output.WriteLine($"draw {k}: {best} of {e.Length} eigenvalues at {value:g6} (engine: {atom.Mass:g4} at {atom.Position:g6})");
            Assert.InRange(value, 0.92 * atom.Position, 1.08 * atom.Position);
            fraction += best / (double)e.Length / Draws;
        }

        output.WriteLine($"sampled fraction {fraction:g4}");
        Assert.InRange(fraction, atom.Mass - 0.06, atom.Mass + 0.06);
    }
}
