namespace Diagnostics.Spectra.Pruning
{
    /// <summary>How the weights to remove are chosen.</summary>
    public enum PruningMethod
    {
        /// <summary>Each weight is kept independently with probability 1 - s.</summary>
        Random,

        /// <summary>In each pruned layer the fraction 1 - s of the weights with the largest |w| is kept.</summary>
        Magnitude,
    }
}
