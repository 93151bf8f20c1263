using Diagnostics.Spectra.Laws;

namespace Diagnostics.Spectra.Fisher
{
    /// <summary>Settings of <see cref="FisherSpectrum.Compute(Architecture.NetworkArchitecture, FisherOptions)"/>, each with a documented default.</summary>
    public sealed class FisherOptions
    {
        /// <summary>Points of the density grid (Chebyshev points on [lower bound, lambda_max]). Default 400.</summary>
        public int GridPoints { get; set; } = 400;

        /// <summary>Im z of the density evaluation relative to lambda_max: y = Eta * lambda_max. Default 1e-8.</summary>
        public double Eta { get; set; } = 1e-8;

        /// <summary>Gauss-Hermite atoms used to discretise the D^2 law of smooth activations. Default 48.</summary>
        public int SmoothActivationAtoms { get; set; } = DerivativeLaw.DefaultAtoms;

        /// <summary>
        /// As <see cref="SpectrumOptions.DistinctSmoothAtoms"/>: tanh and sigmoid get 2K nodes (at most 400), so that K counts
        /// distinct atoms. Default false; the analyzer sets it (20 x 256 Gaussian tanh at sigma_w^2 = 2 with K = 16:
        /// lambda_max 867.7 -&gt; 877.9, K = 96 gives 878.4).
        /// </summary>
        public bool DistinctSmoothAtoms { get; set; }

        /// <summary>Quantile levels reported by <see cref="FisherInformationLaw.Quantiles"/> (deciles).</summary>
        public double[] QuantileLevels { get; set; } = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

        /// <summary>
        /// Certify the density solve by the Kantorovich basin test when every D^2 law has a single non-zero atom (ReLU, identity,
        /// hard tanh, hard sine). Default true; false gives the checked (not certified) Newton continuation used for smooth layers.
        /// </summary>
        public bool CertifyDensity { get; set; } = true;

        /// <summary>
        /// Also certify chains with multi-atom D^2 laws (smooth activations): the inner roots are enclosed by a Krawczyk test
        /// (<c>FisherCertificate.InnerRootJet</c>). Default false: measured 5x the checked cost for Gaussian tanh (depth 8, 48 atoms,
        /// 45 of 400 grid points by the checked fallback), and blocked (a <see cref="SpectralConvergenceException"/>) for orthogonal
        /// tanh at depth 8.
        /// </summary>
        public bool CertifySmoothDensity { get; set; }

        /// <summary>Newton iterations per continuation step. Default 40.</summary>
        public int MaxNewtonIterations { get; set; } = 40;

        /// <summary>Failed continuation steps (each one halves a step) allowed per grid point before giving up. Default 400.</summary>
        public int MaxContinuationFailures { get; set; } = 400;

        /// <summary>Points of the geometric scan of the real branch used for lambda_max (ratio 1.2 from m_1 = 1e-8 to 1e12). Default 260.</summary>
        public int EdgeScanPoints { get; set; } = 260;
    }
}
