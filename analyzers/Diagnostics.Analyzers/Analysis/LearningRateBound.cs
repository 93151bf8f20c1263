using Diagnostics.Analyzers.Extraction;
using Diagnostics.Spectra.Architecture;

namespace Diagnostics.Analyzers.Analysis
{
    /// <summary>
    /// Integration point of rule FPT003 (reserved): a learning rate above 2 / lambda_max of the Fisher information at
    /// initialisation makes gradient descent unstable. The extractor already links each optimiser (SGD learningRate,
    /// Adam/AdamW/RMSProp lr) to its model; this method receives the model's architecture and that rate.
    /// </summary>
    internal static class LearningRateBound
    {
        /// <summary>
        /// lambda_max-based bound 2 / lambda_max for this architecture, or null while the Fisher engine (Hayase and Karakida,
        /// dual conditional FIM; another branch of this repository) is not part of Diagnostics.Spectra.
        /// </summary>
        public static double? MaximalStableLearningRate(NetworkArchitecture architecture) => null;

        /// <summary>True when the optimiser's constant learning rate exceeds the bound; null when either is unknown.</summary>
        public static bool? Exceeds(NetworkArchitecture architecture, OptimizerInfo optimizer)
        {
            var bound = MaximalStableLearningRate(architecture);
            if (bound == null || optimizer.LearningRate == null) return null;
            return optimizer.LearningRate.Value > bound.Value;
        }
    }
}
