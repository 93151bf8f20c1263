namespace Diagnostics.Spectra.Laws
{
    /// <summary>A point mass of a spectral law (of J^T J, or of the Fisher matrix H_L): its position and its mass in the whole law.</summary>
    public readonly struct SpectralAtom
    {
        public SpectralAtom(double position, double mass)
        {
            Position = position;
            Mass = mass;
        }

        /// <summary>The eigenvalue carrying the mass.</summary>
        public double Position { get; }

        /// <summary>Its mass in the whole law (zeros included).</summary>
        public double Mass { get; }

        public override string ToString() => $"{Mass:g6} at {Position:g8}";
    }
}
