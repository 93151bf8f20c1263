using System.Globalization;
using System.Text;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Diagnostics.Spectra.Tests.MonteCarlo;

/// <summary>
/// One or more draws of a real random network: the eigenvalues of J^T J (pooled over the draws) and, per layer,
/// the empirical pre-activation variance, the mean of phi'(h)^2 and the fraction of units with phi'(h) != 0.
/// </summary>
public sealed class SampledSpectrum
{
    private readonly double[][] _perDraw;

    internal SampledSpectrum(double[][] perDraw, double[][] preActivationVariance, double[][] derivativeSecondMoment, double[][] activeFraction)
    {
        _perDraw = perDraw;
        var pooled = perDraw.SelectMany(e => e).ToArray();
        Array.Sort(pooled);
        Eigenvalues = pooled;
        Draws = perDraw.Length;
        var largest = perDraw.Select(e => e.Max()).ToArray();
        PreActivationVariance = preActivationVariance;
        DerivativeSecondMoment = derivativeSecondMoment;
        ActiveFraction = activeFraction;
        LargestPerDraw = largest;
    }

    /// <summary>All eigenvalues of J^T J of every draw (N_0 per draw, zeros included), ascending.</summary>
    public double[] Eigenvalues { get; }

    public int Draws { get; }

    /// <summary>[draw][layer]: mean of h_l^2 over the units of the layer.</summary>
    public double[][] PreActivationVariance { get; }

    /// <summary>[draw][layer]: mean of phi'(h_l)^2 over the units of the layer.</summary>
    public double[][] DerivativeSecondMoment { get; }

    /// <summary>[draw][layer]: fraction of units with phi'(h_l) != 0.</summary>
    public double[][] ActiveFraction { get; }

    /// <summary>Largest eigenvalue of each draw.</summary>
    public double[] LargestPerDraw { get; }

    /// <summary>Draw <paramref name="draw"/> alone, as a one-draw sample.</summary>
    public SampledSpectrum SingleDraw(int draw) => new SampledSpectrum(
        new[] { _perDraw[draw] }, new[] { PreActivationVariance[draw] }, new[] { DerivativeSecondMoment[draw] }, new[] { ActiveFraction[draw] });

    /// <summary>Mean of all eigenvalues (zeros included): tr(J^T J) / N_0 averaged over the draws.</summary>
    public double Mean => Eigenvalues.Average();

    /// <summary>
    /// Absolute threshold below which an eigenvalue counts as zero: <paramref name="relative"/> times the largest
    /// eigenvalue of the draws (the symmetric EVD leaves round-off eigenvalues of size ~ N eps lambda_max ~ 1e-13
    /// lambda_max where J^T J has exact zeros).
    /// </summary>
    public double ZeroThreshold(double relative) => relative * LargestPerDraw.Min();

    /// <summary>Fraction of eigenvalues at or below <paramref name="threshold"/>.</summary>
    public double FractionAtOrBelow(double threshold)
    {
        int count = 0;
        foreach (var x in Eigenvalues)
        {
            if (x <= threshold) count++;
        }

        return (double)count / Eigenvalues.Length;
    }

    /// <summary>Eigenvalues above the threshold (the sampled non-zero part), ascending.</summary>
    public double[] Above(double threshold) => Eigenvalues.Where(x => x > threshold).ToArray();

    /// <summary>Empirical quantile (linear interpolation between order statistics) of an ascending sample.</summary>
    public static double Quantile(double[] ascending, double level)
    {
        if (ascending.Length == 0) throw new ArgumentException("empty sample", nameof(ascending));
        double position = level * (ascending.Length - 1);
        int lo = (int)Math.Floor(position);
        int hi = Math.Min(lo + 1, ascending.Length - 1);
        double t = position - lo;
        return ascending[lo] + t * (ascending[hi] - ascending[lo]);
    }
}

/// <summary>Per-draw, per-layer statistics of forward passes ([draw][layer]).</summary>
public sealed class ForwardStatistics
{
    internal ForwardStatistics(double[][] q, double[][] d2, double[][] active)
    {
        PreActivationVariance = q;
        DerivativeSecondMoment = d2;
        ActiveFraction = active;
    }

    public double[][] PreActivationVariance { get; }

    public double[][] DerivativeSecondMoment { get; }

    public double[][] ActiveFraction { get; }

    /// <summary>Mean over draws and its standard error (spread between draws / sqrt(draws)) for one layer.</summary>
    public static (double Mean, double StandardError) Summary(double[][] perDraw, int layer)
    {
        var xs = perDraw.Select(d => d[layer]).ToArray();
        double mean = xs.Average();
        double variance = xs.Length > 1 ? xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1) : 0;
        return (mean, Math.Sqrt(variance / xs.Length));
    }
}

/// <summary>
/// Standard normal deviates from a seeded <see cref="System.Random"/> by Marsaglia's polar method (both deviates of
/// a pair are used). Deterministic for a given seed.
/// </summary>
public sealed class GaussianSource
{
    private readonly Random _random;
    private double _spare;
    private bool _hasSpare;

    public GaussianSource(int seed) => _random = new Random(seed);

    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }

        double u, v, s;
        do
        {
            u = 2 * _random.NextDouble() - 1;
            v = 2 * _random.NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    public void Fill(double[] target, double scale)
    {
        for (int i = 0; i < target.Length; i++) target[i] = scale * Next();
    }
}

/// <summary>
/// Samples real random fully connected networks x_l = phi_l(W_l x_{l-1} + b_l) as the engine defines them and
/// returns the eigenvalues of J^T J, J = D_L W_L ... D_1 W_1, with D_l = diag(phi_l'(h_l)) taken from the forward
/// pass of one random input through the same weights (no independent re-draw of the D's).
/// </summary>
/// <remarks>
/// Gaussian weights: entries iid N(0, sigma_w^2 / N_{l-1}). Orthogonal weights: W = sigma_w Q with Q Haar
/// distributed with orthonormal rows (N_l &lt;= N_{l-1}) or columns (N_l &gt; N_{l-1}), from the thin QR of a
/// Gaussian matrix with the signs of R's diagonal moved into Q. Biases iid N(0, sigma_b^2), input entries iid
/// N(0, q_0). J is built by the product of matrices (MathNet), J^T J by a matrix product and its eigenvalues by the
/// symmetric EVD. Draw k of a call uses its own generator seeded from (seed, k), so results do not depend on the
/// order in which draws run.
/// </remarks>
public static class RandomNetworkSampler
{
    /// <summary>Samples <paramref name="draws"/> independent networks and pools their eigenvalues.</summary>
    public static SampledSpectrum Sample(NetworkArchitecture network, int seed, int draws = 1)
    {
        if (network == null) throw new ArgumentNullException(nameof(network));
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws));
        var eigen = new double[draws][];
        var q = new double[draws][];
        var d2 = new double[draws][];
        var active = new double[draws][];
        for (int k = 0; k < draws; k++)
        {
            var gaussian = new GaussianSource(DrawSeed(seed, k));
            eigen[k] = SampleOnce(network, gaussian, out q[k], out d2[k], out active[k]);
        }

        return new SampledSpectrum(eigen, q, d2, active);
    }

    /// <summary>One network, one input: eigenvalues of J^T J (unsorted) and per-layer statistics.</summary>
    public static double[] SampleOnce(NetworkArchitecture network, GaussianSource gaussian, out double[] preActivationVariance, out double[] derivativeSecondMoment, out double[] activeFraction)
    {
        int depth = network.Depth;
        preActivationVariance = new double[depth];
        derivativeSecondMoment = new double[depth];
        activeFraction = new double[depth];

        int n0 = network.Widths[0];
        var input = new double[n0];
        gaussian.Fill(input, Math.Sqrt(network.InputVariance));
        var x = Vector<double>.Build.DenseOfArray(input);
        Matrix<double>? jacobian = null; // N_l x N_0
        for (int l = 0; l < depth; l++)
        {
            var layer = network.Layers[l];
            int fanOut = network.Widths[l + 1];
            var w = Weights(layer, network.Widths[l], fanOut, gaussian);
            var h = w * x;
            if (layer.BiasVariance > 0)
            {
                double sb = Math.Sqrt(layer.BiasVariance);
                for (int i = 0; i < fanOut; i++) h[i] += sb * gaussian.Next();
            }

            var phi = layer.Activation;
            var next = new double[fanOut];
            var d = new double[fanOut];
            double sumH2 = 0, sumD2 = 0;
            int nonZero = 0;
            for (int i = 0; i < fanOut; i++)
            {
                double hi = h[i];
                next[i] = phi.Evaluate(hi);
                d[i] = phi.Derivative(hi);
                sumH2 += hi * hi;
                sumD2 += d[i] * d[i];
                if (d[i] != 0) nonZero++;
            }

            preActivationVariance[l] = sumH2 / fanOut;
            derivativeSecondMoment[l] = sumD2 / fanOut;
            activeFraction[l] = (double)nonZero / fanOut;

            // J_l = D_l W_l J_{l-1}, J_0 = I.
            var product = jacobian == null ? w : w * jacobian;
            ScaleRows(product, d);
            jacobian = product;
            x = Vector<double>.Build.DenseOfArray(next);
        }

        var gram = jacobian!.TransposeThisAndMultiply(jacobian);
        var evd = gram.Evd(Symmetricity.Symmetric);
        var values = new double[n0];
        for (int i = 0; i < n0; i++) values[i] = evd.EigenValues[i].Real;
        return values;
    }

    /// <summary>
    /// Forward passes only (no Jacobian): per draw and layer, the mean of h_l^2, of phi'(h_l)^2 and the fraction of
    /// units with phi'(h_l) != 0, for comparison with the engine's mean-field propagation.
    /// </summary>
    public static ForwardStatistics Forward(NetworkArchitecture network, int seed, int draws)
    {
        int depth = network.Depth;
        var q = new double[draws][];
        var d2 = new double[draws][];
        var active = new double[draws][];
        for (int k = 0; k < draws; k++)
        {
            var gaussian = new GaussianSource(DrawSeed(seed, 200_000 + k));
            q[k] = new double[depth];
            d2[k] = new double[depth];
            active[k] = new double[depth];
            var input = new double[network.Widths[0]];
            gaussian.Fill(input, Math.Sqrt(network.InputVariance));
            var x = Vector<double>.Build.DenseOfArray(input);
            for (int l = 0; l < depth; l++)
            {
                var layer = network.Layers[l];
                int fanOut = network.Widths[l + 1];
                var h = Weights(layer, network.Widths[l], fanOut, gaussian) * x;
                double sb = Math.Sqrt(layer.BiasVariance);
                var next = new double[fanOut];
                for (int i = 0; i < fanOut; i++)
                {
                    double hi = h[i] + (sb > 0 ? sb * gaussian.Next() : 0);
                    double d = layer.Activation.Derivative(hi);
                    next[i] = layer.Activation.Evaluate(hi);
                    q[k][l] += hi * hi / fanOut;
                    d2[k][l] += d * d / fanOut;
                    if (d != 0) active[k][l] += 1.0 / fanOut;
                }

                x = Vector<double>.Build.DenseOfArray(next);
            }
        }

        return new ForwardStatistics(q, d2, active);
    }

    /// <summary>
    /// Estimate of E[tr(J^T J)] / N_0 over many networks without forming J: each network runs one forward pass that
    /// carries the input and <paramref name="probes"/> Gaussian probe vectors v (E_v ||J v||^2 = tr(J^T J)).
    /// Gaussian weights only (rows are drawn on the fly). Returns the mean over networks and its standard error
    /// (from the spread between networks).
    /// </summary>
    public static (double Mean, double StandardError) ProbeMean(NetworkArchitecture network, int seed, int networks, int probes = 4)
    {
        if (networks < 2) throw new ArgumentOutOfRangeException(nameof(networks));
        if (network.Layers.Any(layer => layer.Weights != WeightDistribution.Gaussian))
            throw new ArgumentException("probe means are implemented for Gaussian weights only", nameof(network));
        var perNetwork = new double[networks];
        int n0 = network.Widths[0];
        for (int k = 0; k < networks; k++)
        {
            var gaussian = new GaussianSource(DrawSeed(seed, 100_000 + k));
            var x = new double[n0];
            gaussian.Fill(x, Math.Sqrt(network.InputVariance));
            var v = new double[probes][];
            for (int p = 0; p < probes; p++)
            {
                v[p] = new double[n0];
                gaussian.Fill(v[p], 1);
            }

            var row = new double[network.Widths.Max()];
            for (int l = 0; l < network.Depth; l++)
            {
                var layer = network.Layers[l];
                int fanIn = network.Widths[l], fanOut = network.Widths[l + 1];
                double scale = Math.Sqrt(layer.WeightVariance / fanIn);
                double sb = Math.Sqrt(layer.BiasVariance);
                var nextX = new double[fanOut];
                var nextV = new double[probes][];
                for (int p = 0; p < probes; p++) nextV[p] = new double[fanOut];
                for (int i = 0; i < fanOut; i++)
                {
                    for (int j = 0; j < fanIn; j++) row[j] = scale * gaussian.Next();
                    double h = Dot(row, x, fanIn);
                    if (sb > 0) h += sb * gaussian.Next();
                    double d = layer.Activation.Derivative(h);
                    nextX[i] = layer.Activation.Evaluate(h);
                    for (int p = 0; p < probes; p++) nextV[p][i] = d * Dot(row, v[p], fanIn);
                }

                x = nextX;
                v = nextV;
            }

            double sum = 0;
            foreach (var probe in v)
            {
                foreach (var value in probe) sum += value * value;
            }

            perNetwork[k] = sum / probes / n0;
        }

        double mean = perNetwork.Average();
        double variance = perNetwork.Sum(t => (t - mean) * (t - mean)) / (networks - 1);
        return (mean, Math.Sqrt(variance / networks));
    }

    /// <summary>W_l (fanOut x fanIn) as the engine defines it.</summary>
    public static Matrix<double> Weights(Layer layer, int fanIn, int fanOut, GaussianSource gaussian)
    {
        double sw = Math.Sqrt(layer.WeightVariance);
        if (layer.Weights == WeightDistribution.Gaussian) return GaussianMatrix(gaussian, fanOut, fanIn, sw / Math.Sqrt(fanIn));

        // Haar Q with orthonormal columns (tall x thin) from the thin QR of a tall Gaussian matrix, signs of diag(R)
        // moved into Q; transposed when the layer does not grow (orthonormal rows).
        bool rows = fanOut <= fanIn;
        int tall = rows ? fanIn : fanOut, thin = rows ? fanOut : fanIn;
        var qr = GaussianMatrix(gaussian, tall, thin, 1).QR(QRMethod.Thin);
        var r = qr.R;
        var values = qr.Q.ToColumnMajorArray();
        for (int j = 0; j < thin; j++)
        {
            double s = r[j, j] < 0 ? -sw : sw;
            int offset = j * tall;
            for (int i = 0; i < tall; i++) values[offset + i] *= s;
        }

        var q = new DenseMatrix(tall, thin, values);
        return rows ? q.Transpose() : q;
    }

    private static int DrawSeed(int seed, int draw) => unchecked(seed * 7919 + draw * 104729 + 17) & int.MaxValue;

    private static double Dot(double[] a, double[] b, int n)
    {
        double s = 0;
        for (int j = 0; j < n; j++) s += a[j] * b[j];
        return s;
    }

    private static Matrix<double> GaussianMatrix(GaussianSource gaussian, int rows, int columns, double scale)
    {
        var data = new double[rows * columns];
        gaussian.Fill(data, scale);
        return new DenseMatrix(rows, columns, data);
    }

    private static void ScaleRows(Matrix<double> m, double[] d)
    {
        int rows = m.RowCount, columns = m.ColumnCount;
        var values = m.AsColumnMajorArray();
        if (values == null)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++) m[i, j] *= d[i];
            }

            return;
        }

        for (int j = 0; j < columns; j++)
        {
            int offset = j * rows;
            for (int i = 0; i < rows; i++) values[offset + i] *= d[i];
        }
    }
}

/// <summary>
/// One sampled spectrum against the engine's law, in the units the tests assert on.
/// </summary>
/// <remarks>
/// Eigenvalues at or below <see cref="Threshold"/> (a relative 1e-10 of the largest one by default, 1000 times
/// above the round-off floor ~ N eps lambda_max of the symmetric EVD) count as zero. For deep or heavy-tailed laws
/// a part F0 = CdfNonZero(threshold) of the true non-zero mass lies below that threshold too (the product of L
/// near-square factors has CDF ~ x^(1/(L+1)) at the hard edge), so the engine is read at the same threshold: the
/// zero fraction is compared with <c>law.Cdf(threshold)</c> (= atom + (1 - atom) F0, F0 is reported) and the
/// sampled decile k/10 of the eigenvalues above the threshold with <c>QuantileNonZero(F0 + (1 - F0) k / 10)</c>.
/// With F0 ~ 0 (soft edges, shallow nets) these are the plain atom and deciles.
/// </remarks>
public sealed class SpectrumComparison
{
    public const double DefaultZeroThreshold = 1e-10;

    private SpectrumComparison()
    {
    }

    public string Name { get; private set; } = "";

    public double Threshold { get; private set; }

    /// <summary>F0: the engine's non-zero mass below the threshold.</summary>
    public double EngineNonZeroMassBelowThreshold { get; private set; }

    public double EngineAtom { get; private set; }

    /// <summary>law.Cdf(threshold): the fraction the engine puts at or below the threshold.</summary>
    public double EngineZeroFraction { get; private set; }

    public double SampledZeroFraction { get; private set; }

    public double EngineMean { get; private set; }

    public double SampledMean { get; private set; }

    public double[] Levels { get; } = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };

    public double[] EngineDeciles { get; private set; } = Array.Empty<double>();

    public double[] SampledDeciles { get; private set; } = Array.Empty<double>();

    /// <summary>ln(sampled / engine) per decile.</summary>
    public double[] LogRatios { get; private set; } = Array.Empty<double>();

    /// <summary>G(sampled decile) - level, G the engine's CDF of the non-zero part above the threshold: the decile error in probability.</summary>
    public double[] LevelErrors { get; private set; } = Array.Empty<double>();

    public int Draws { get; private set; }

    public static SpectrumComparison Compare(string name, SquaredSingularValueLaw law, SampledSpectrum sample, double relativeZeroThreshold = DefaultZeroThreshold)
    {
        var c = new SpectrumComparison { Name = name, Draws = sample.Draws };
        double tau = sample.ZeroThreshold(relativeZeroThreshold);
        double f0 = law.CdfNonZero(tau);
        c.Threshold = tau;
        c.EngineNonZeroMassBelowThreshold = f0;
        c.EngineAtom = law.AtomAtZero;
        c.EngineZeroFraction = law.Cdf(tau);
        c.SampledZeroFraction = sample.FractionAtOrBelow(tau);
        c.EngineMean = law.Mean;
        c.SampledMean = sample.Mean;
        var nonZero = sample.Above(tau);
        int n = c.Levels.Length;
        c.EngineDeciles = new double[n];
        c.SampledDeciles = new double[n];
        c.LogRatios = new double[n];
        c.LevelErrors = new double[n];
        for (int k = 0; k < n; k++)
        {
            double p = c.Levels[k];
            c.EngineDeciles[k] = law.QuantileNonZero(f0 + (1 - f0) * p);
            c.SampledDeciles[k] = nonZero.Length > 0 ? SampledSpectrum.Quantile(nonZero, p) : double.NaN;
            c.LogRatios[k] = Math.Log(c.SampledDeciles[k] / c.EngineDeciles[k]);
            c.LevelErrors[k] = (law.CdfNonZero(c.SampledDeciles[k]) - f0) / (1 - f0) - p;
        }

        return c;
    }

    public double MeanLogRatio => Math.Log(SampledMean / EngineMean);

    public double ZeroFractionError => SampledZeroFraction - EngineZeroFraction;

    public string Describe()
    {
        var inv = CultureInfo.InvariantCulture;
        string Row(IEnumerable<double> xs, string format) => string.Join(" ", xs.Select(x => x.ToString(format, inv).PadLeft(10)));
        var sb = new StringBuilder();
        sb.AppendLine($"{Name} ({Draws} draw(s)); zero threshold {Threshold.ToString("g3", inv)}, engine non-zero mass below it F0 = {EngineNonZeroMassBelowThreshold.ToString("g3", inv)}");
        sb.AppendLine($"  zero fraction: sampled {SampledZeroFraction.ToString("0.0000", inv)} engine {EngineZeroFraction.ToString("0.0000", inv)} (atom {EngineAtom.ToString("0.0000", inv)}), diff {ZeroFractionError.ToString("+0.0000;-0.0000", inv)}");
        sb.AppendLine($"  mean: sampled {SampledMean.ToString("g5", inv)} engine {EngineMean.ToString("g5", inv)}, ln ratio {MeanLogRatio.ToString("+0.000;-0.000", inv)}");
        sb.AppendLine("  level         " + Row(Levels, "0.0"));
        sb.AppendLine("  engine        " + Row(EngineDeciles, "g4"));
        sb.AppendLine("  sampled       " + Row(SampledDeciles, "g4"));
        sb.AppendLine("  ln ratio      " + Row(LogRatios, "+0.000;-0.000"));
        sb.Append("  level error   " + Row(LevelErrors, "+0.000;-0.000"));
        return sb.ToString();
    }
}
