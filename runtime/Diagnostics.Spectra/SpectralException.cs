using System;

namespace Diagnostics.Spectra
{
    /// <summary>Base class of every failure the spectral engine reports.</summary>
    public class SpectralException : Exception
    {
        public SpectralException(string message) : base(message) { }
        public SpectralException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>The network description is not valid (non-positive width, negative variance, unknown activation...).</summary>
    public sealed class InvalidArchitectureException : SpectralException
    {
        public InvalidArchitectureException(string message) : base(message) { }
    }

    /// <summary>
    /// A bounded iteration ran out of budget without a certified answer. The engine never returns an
    /// uncertified value: it throws this instead, naming the point and the stage that failed.
    /// </summary>
    public class SpectralConvergenceException : SpectralException
    {
        public SpectralConvergenceException(string message) : base(message) { }
    }

    /// <summary>
    /// The density was computed but does not integrate to the exact non-zero mass within the tolerance (Im z raised near
    /// the axis, a grid that does not resolve the law, a walk on a wrong root). A finer grid may resolve it; the engine
    /// does not retry by itself.
    /// </summary>
    public sealed class DensityResolutionException : SpectralConvergenceException
    {
        public DensityResolutionException(string message) : base(message) { }
    }
}
