using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.Distributions;

namespace Diagnostics.Runtime.Reference
{
    /// <summary>
    /// Generated regression data: inputs x ~ N(0, I), targets y = A tanh(B x) / sqrt(hidden) from a seeded random
    /// two-layer teacher with a small Jacobian (its scale set by <c>teacherGain</c>), so that a student initialised
    /// at the edge of chaos must lower its input-output Jacobian to fit.
    /// </summary>
    public sealed class TeacherStudentData
    {
        private TeacherStudentData(double[][] inputs, double[][] targets)
        {
            Inputs = inputs;
            Targets = targets;
        }

        public IReadOnlyList<double[]> Inputs { get; }

        public IReadOnlyList<double[]> Targets { get; }

        /// <summary>Draws <paramref name="samples"/> pairs from a teacher with <paramref name="hidden"/> tanh units.</summary>
        public static TeacherStudentData Generate(int samples, int inputSize, int outputSize, int seed, int hidden = 32, double teacherGain = 0.5)
        {
            var random = new Random(seed);
            var b = Enumerable.Range(0, hidden).Select(_ => Enumerable.Range(0, inputSize).Select(_ => Normal.Sample(random, 0, 1 / Math.Sqrt(inputSize))).ToArray()).ToArray();
            var a = Enumerable.Range(0, outputSize).Select(_ => Enumerable.Range(0, hidden).Select(_ => Normal.Sample(random, 0, teacherGain / Math.Sqrt(hidden))).ToArray()).ToArray();
            var inputs = new double[samples][];
            var targets = new double[samples][];
            for (int n = 0; n < samples; n++)
            {
                var x = Enumerable.Range(0, inputSize).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
                var h = b.Select(row => Math.Tanh(row.Zip(x, (w, v) => w * v).Sum())).ToArray();
                inputs[n] = x;
                targets[n] = a.Select(row => row.Zip(h, (w, v) => w * v).Sum()).ToArray();
            }

            return new TeacherStudentData(inputs, targets);
        }

        /// <summary>The first <paramref name="count"/> inputs (probes for the monitor).</summary>
        public double[][] FirstInputs(int count) => Inputs.Take(count).Select(x => (double[])x.Clone()).ToArray();
    }
}
