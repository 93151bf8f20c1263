using System.Collections.Generic;

namespace Diagnostics.Runtime.Monitoring
{
    /// <summary>
    /// Sets of quantities tiered by cost. Typical extra passes over the probe batch per training step (the reference
    /// MLP, warm-started Lanczos): Minimal about 0.1, Default about 0.5, Thorough about 4. With M probes and a training
    /// batch of B samples, one pass costs about M / (3 B) of a training step (a step is one forward and one backward).
    /// </summary>
    public static class MonitorPreset
    {
        /// <summary>||J|| every 100 steps, sharpness and bound every 200, gradient norms every 10.</summary>
        public static IReadOnlyList<MonitoredQuantity> Minimal(LossNormalization loss)
        {
            var sharpness = new SharpnessQuantity(Schedule.Every(200), loss);
            return new MonitoredQuantity[]
            {
                new JacobianNormQuantity(Schedule.Every(100)),
                sharpness,
                new LearningRateBoundQuantity(Schedule.Every(200), sharpness),
                new GradientNormQuantity(Schedule.Every(10)),
            };
        }

        /// <summary>
        /// ||J|| every 10 steps (enough readings for the phase detector), chi every 100, sharpness every 50, the
        /// learning-rate bound and gradient norms every 10.
        /// </summary>
        public static IReadOnlyList<MonitoredQuantity> Default(LossNormalization loss)
        {
            var sharpness = new SharpnessQuantity(Schedule.Every(50), loss);
            return new MonitoredQuantity[]
            {
                new JacobianNormQuantity(Schedule.Every(10)),
                new MeanSquaredSingularValueQuantity(Schedule.Every(100)),
                sharpness,
                new LearningRateBoundQuantity(Schedule.Every(10), sharpness),
                new GradientNormQuantity(Schedule.Every(10)),
            };
        }

        /// <summary>Everything every 5 steps, plus the spectral density on log-spaced steps (5 per decade).</summary>
        public static IReadOnlyList<MonitoredQuantity> Thorough(LossNormalization loss)
        {
            var sharpness = new SharpnessQuantity(Schedule.Every(5), loss, tolerance: 1e-4, maxIterations: 30);
            return new MonitoredQuantity[]
            {
                new JacobianNormQuantity(Schedule.Every(5), tolerance: 1e-4, maxIterations: 30),
                new MeanSquaredSingularValueQuantity(Schedule.Every(5)),
                sharpness,
                new LearningRateBoundQuantity(Schedule.Every(1), sharpness),
                new GradientNormQuantity(Schedule.Every(1)),
                new SpectralDensityQuantity(Schedule.LogSpaced(5)),
            };
        }
    }
}
