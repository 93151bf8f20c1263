using System;
using System.Collections.Generic;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// One smooth hidden layer and an orthogonal output layer that does not narrow (N_2 &gt;= N_1, W_2 = sigma Q with
    /// Q^T Q = I): K_2 = (N_1/N_2) [qhat_1 I + sigma^2 (N_0/N_1) q_0 Q D_1^2 Q^T] has the eigenvalue c1 + b d^2 for each of
    /// the N_1 units (d^2 = phi'(h_1)^2, c1 = (N_1/N_2) qhat_1, b = (N_0/N_2) sigma^2 q_0) and c1 for the other N_2 - N_1.
    /// Its law is the affine push-forward of the law of phi'(sqrt(q_1) Z)^2, computed from the level sets
    /// (<see cref="DerivativeSquareLaw"/>), where the K-atom chain would give K atoms and nothing to smooth them.
    /// </summary>
    internal static class FisherPushForward
    {
        public static bool Applies(NetworkArchitecture network) =>
            network.Depth == 2 && network.Layers[1].Weights == WeightDistribution.Orthogonal && !network.Layers[0].Activation.IsPiecewiseLinear
            && network.WidthProfile[2] >= network.WidthProfile[1];

        private static DerivativeSquareLaw Law(FisherLayerChain chain) =>
            DerivativeSquareLaw.Of(chain.Network.Layers[0].Activation, chain.Propagation.Q[0], 1);

        private static double Slope(FisherLayerChain chain) => chain.Levels[0].C2 * chain.A * chain.Levels[0].WeightVariance;

        /// <summary>lambda_max = c1 + b sup d^2 (the top of the continuous part or a flat piece of phi').</summary>
        public static double LargestEigenvalue(FisherLayerChain chain) => LargestEigenvalue(chain, Law(chain));

        private static double LargestEigenvalue(FisherLayerChain chain, DerivativeSquareLaw s)
        {
            double top = s.Upper;
            foreach (var a in s.Atoms) top = Math.Max(top, a.Position);
            return chain.Levels[0].C1 + Slope(chain) * top;
        }

        public static FisherInformationLaw Compute(FisherLayerChain chain, FisherOptions options)
        {
            var level = chain.Levels[0];
            var s = Law(chain);
            double c1 = level.C1, b = Slope(chain), p = level.R;
            // Atoms: c1 (the N_2 - N_1 extra directions and the inactive units) and the flat pieces of phi' (ELU/SELU).
            var atoms = new List<SpectralAtom>();
            double bottom = 1 - p * s.LiveMass;
            if (bottom > 1e-12) atoms.Add(new SpectralAtom(c1, bottom));
            foreach (var a in s.Atoms) atoms.Add(new SpectralAtom(c1 + b * a.Position, p * a.Mass));
            atoms.Sort((x, y) => x.Position.CompareTo(y.Position));

            int n = options.GridPoints;
            var sGrid = new double[n];
            var weight = new double[n];
            JacobianSpectrum.PiecewiseClusteredGrid(s.Breaks, sGrid, weight);
            var grid = new double[n];
            var density = new double[n];
            var cells = new double[n + 1];
            var cellMass = new double[n];
            for (int k = 0; k < n; k++)
            {
                grid[k] = c1 + b * sGrid[k];
                density[k] = p * s.Density(sGrid[k]) / b;
            }

            // Cells between consecutive grid points; their masses from the exact CDF, not from the density.
            double below = s.ContinuousCdf(s.Lower);
            cells[0] = c1 + b * s.Lower;
            for (int k = 0; k < n; k++)
            {
                double edge = k == n - 1 ? s.Upper : 0.5 * (sGrid[k] + sGrid[k + 1]);
                double cdf = s.ContinuousCdf(edge);
                cells[k + 1] = c1 + b * edge;
                cellMass[k] = p * (cdf - below);
                below = cdf;
            }

            return new FisherInformationLaw(chain.Network, chain.Propagation, chain.LevelMeans, chain.LowerBound, LargestEigenvalue(chain, s), atoms.ToArray(),
                grid, density, cells, cellMass, options, 0)
            {
                DensityCertified = true,
                UncertifiedPoints = 0,
                EdgeSearchUncertifiedPoints = 0,
                BasinTests = 0,
            };
        }
    }
}
