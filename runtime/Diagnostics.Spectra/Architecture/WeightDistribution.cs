namespace Diagnostics.Spectra.Architecture
{
    /// <summary>How the weight matrices are drawn.</summary>
    public enum WeightDistribution
    {
        /// <summary>Entries iid N(0, sigma_w^2 / fan_in).</summary>
        Gaussian,

        /// <summary>W = sigma_w Q with Q having orthonormal rows or columns (TorchSharp's <c>orthogonal_(w, gain)</c>).</summary>
        Orthogonal,
    }
}
