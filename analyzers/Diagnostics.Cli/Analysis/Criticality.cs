using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.MeanField;

namespace Diagnostics.Cli.Analysis;

/// <summary>Where the edge of chaos (chi = 1 per layer) lies for an activation or a whole network.</summary>
internal static class Criticality
{
    /// <summary>
    /// sigma_w^2 with chi = sigma_w^2 E[phi'^2] = 1 when E[phi'^2] does not depend on the pre-activation variance
    /// (ReLU 2, leaky ReLU 2 / (1 + s^2), identity and hard sine 1); null for the other activations.
    /// </summary>
    public static double? ExactCriticalWeightVariance(Activation phi) => phi.Kind switch
    {
        ActivationKind.Relu => 2,
        ActivationKind.LeakyRelu => 2 / (1 + phi.Slope * phi.Slope),
        ActivationKind.Identity or ActivationKind.HardSine => 1,
        _ => null,
    };

    /// <summary>Geometric mean of chi_l over the layers.</summary>
    public static double GeometricMeanChi(IReadOnlyList<double> chi)
    {
        double s = 0;
        foreach (double c in chi) s += Math.Log(c);
        return Math.Exp(s / chi.Count);
    }

    /// <summary>Indices of the hidden layers: all but the last (the only layer for depth 1).</summary>
    public static int HiddenCount(NetworkArchitecture network) => Math.Max(1, network.Depth - 1);

    /// <summary>Geometric mean of chi over the hidden layers.</summary>
    public static double HiddenChi(NetworkArchitecture network, IReadOnlyList<double> chi) =>
        GeometricMeanChi(chi.Take(HiddenCount(network)).ToArray());

    /// <summary>
    /// The factor c such that multiplying every sigma_w^2 by c gives a geometric-mean chi of 1 over the hidden layers,
    /// from the mean-field recursion of this network (its depth, widths, biases and input variance); null when no c
    /// in [1e-4, 1e4] does.
    /// </summary>
    public static double? CriticalScale(NetworkArchitecture network)
    {
        double F(double logC)
        {
            double c = Math.Exp(logC);
            var layers = network.Layers.Select(l => new Layer(l.Activation, l.WeightVariance * c, l.BiasVariance, l.Weights)).ToArray();
            try
            {
                var chi = SignalPropagation.Compute(new NetworkArchitecture(network.Widths, layers, network.InputVariance)).Chi;
                double s = 0;
                for (int l = 0; l < HiddenCount(network); l++) s += Math.Log(chi[l]);
                return double.IsNaN(s) ? double.NaN : s;
            }
            catch (SpectralException)
            {
                return double.NaN;
            }
        }

        double lo = Math.Log(1e-4), hi = Math.Log(1e4);
        double flo = F(lo), fhi = F(hi);
        if (double.IsNaN(flo) || double.IsNaN(fhi) || Math.Sign(flo) == Math.Sign(fhi)) return null;
        for (int i = 0; i < 80 && hi - lo > 1e-10; i++)
        {
            double mid = 0.5 * (lo + hi);
            double fm = F(mid);
            if (double.IsNaN(fm)) return null;
            if (Math.Sign(fm) == Math.Sign(flo))
            {
                lo = mid;
                flo = fm;
            }
            else
            {
                hi = mid;
            }
        }

        return Math.Exp(0.5 * (lo + hi));
    }
}
