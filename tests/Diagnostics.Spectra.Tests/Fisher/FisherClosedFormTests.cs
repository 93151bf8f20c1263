using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;
using Diagnostics.Spectra.MeanField;
using Xunit;
using Xunit.Abstractions;

namespace Diagnostics.Spectra.Tests.Fisher;

/// <summary>The law of H_L against exact identities and closed forms (Hayase and Karakida 2021, eq. 32, Theorems 3.2 and 4.3).</summary>
public class FisherClosedFormTests(ITestOutputHelper output)
{
    private static NetworkArchitecture Square(int depth, Activation phi, double sw, WeightDistribution init, double sb = 0, double q0 = 1, int width = 100) =>
        NetworkArchitecture.Uniform(Enumerable.Repeat(width, depth + 1).ToArray(), phi, sw, sb, init, Activation.Identity, q0);

    [Theory]
    [InlineData(WeightDistribution.Gaussian)]
    [InlineData(WeightDistribution.Orthogonal)]
    public void SquareRelu_CriticalGain_MeanEqualsDepth(WeightDistribution init)
    {
        // Eq. 32 with sigma_w^2 = 2, q_0 = 1: qhat_l = 1 and chi_l = 1, so m1(mu_L) = L exactly (round-off only).
        for (int depth = 1; depth <= 20; depth++)
        {
            double mean = FisherSpectrum.Mean(Square(depth, Activation.Relu, 2, init));
            Assert.Equal(depth, mean, 1e-12 * depth);
        }
    }

    [Theory]
    [InlineData("tanh", 1.5, 0.05, WeightDistribution.Gaussian)]
    [InlineData("tanh", 1.5, 0.05, WeightDistribution.Orthogonal)]
    [InlineData("hardtanh", 1.2, 0.0, WeightDistribution.Gaussian)]
    [InlineData("gelu", 1.8, 0.1, WeightDistribution.Orthogonal)]
    public void MeanRecursion_Eq32_HoldsExactly(string activation, double sw, double sb, WeightDistribution init)
    {
        // m1(mu_1) = q_0, m1(mu_{l+1}) = qhat_l + sigma^2 E[phi'^2](q_l) m1(mu_l), assembled here from the mean-field quantities.
        var net = Square(8, Activation.Parse(activation), sw, init, sb, q0: 0.7);
        var prop = SignalPropagation.Compute(net);
        double expected = net.InputVariance;
        for (int l = 0; l < net.Depth - 1; l++)
            expected = ActivationMoments.SecondMoment(net.Layers[l].Activation, prop.Q[l]) + sw * prop.DerivativeMeans[l] * expected;
        Assert.Equal(expected, FisherSpectrum.Mean(net), 1e-12 * expected);
    }

    private static FisherInformationLaw ReluTwoHidden() => FisherSpectrum.Compute(Square(3, Activation.Relu, 2, WeightDistribution.Orthogonal));

    [Fact]
    public void TwoHiddenLayers_OrthogonalRelu_AtomsAndEdges()
    {
        // Theorem 3.2 setting (sigma_w^2 = 2, q0 = 1, square orthogonal): mu_2 = (delta_1 + delta_3)/2 and
        // mu_3 = delta_1/2 + the arcsine law of mass 1/2 on [3, 7].
        var law = ReluTwoHidden();
        Assert.Single(law.Atoms);
        Assert.Equal(1, law.Atoms[0].Position, 1e-12);
        Assert.Equal(0.5, law.Atoms[0].Mass, 1e-12);
        Assert.Equal(7, law.LambdaMax, 1e-6);
        Assert.Equal(1, law.SupportLower, 1e-12); // the atom
        Assert.InRange(law.Grid[0], 3 - 1e-6, 3.001); // the continuous part starts at 3 (refined edge)
    }

    [Fact]
    public void TwoHiddenLayers_OrthogonalRelu_ArcsineDensity()
    {
        // Continuous part: y = 3 + 4 t, t arcsine of mass 1/2: density 1/(2 pi sqrt(t (1 - t))) / 4. Inverse-square-root
        // edges at both ends: compared 1% away from them.
        var law = ReluTwoHidden();
        CompareTwoProjectionDensity(law, 0.5, 0.5, 1, 3, 4, 1e-4);
        output.WriteLine($"mass {law.TotalMass}");
        Assert.Equal(1, law.TotalMass, 2e-3);
    }

    [Theory]
    [InlineData(1.0, 0.5)]
    [InlineData(1.0, 2.0)]
    [InlineData(1.5, 0.3)]
    public void TwoHiddenLayers_OrthogonalHardTanh_AtomsAndDensity(double sw, double q0)
    {
        // Hard tanh: D_l^2 are projections of traces alpha = P(|h_1| < 1), beta = P(|h_2| < 1). mu_2 = (1 - alpha) delta_x1 + alpha delta_x2,
        // x1 = qhat_1, x2 = qhat_1 + sigma^2 q0; nu_2 boxtimes mu_2 = x1 Q + (x2 - x1) QPQ, and QPQ for free projections P, Q has atoms
        // 1 - min(alpha, beta) at 0 and max(alpha + beta - 1, 0) at 1 and density sqrt((l+ - t)(t - l-)) / (2 pi t (1 - t)) on [l-, l+],
        // l+- = alpha + beta - 2 alpha beta +- sqrt(4 alpha beta (1 - alpha)(1 - beta)).
        var phi = Activation.HardTanh;
        var net = Square(3, phi, sw, WeightDistribution.Orthogonal, q0: q0);
        var prop = SignalPropagation.Compute(net);
        double alpha = ActivationMoments.ActiveFraction(phi, prop.Q[0]);
        double beta = ActivationMoments.ActiveFraction(phi, prop.Q[1]);
        double x1 = ActivationMoments.SecondMoment(phi, prop.Q[0]);
        double x2 = x1 + sw * q0;
        double qhat2 = ActivationMoments.SecondMoment(phi, prop.Q[1]);
        var law = FisherSpectrum.Compute(net);
        var expectedAtoms = new List<(double Position, double Mass)> { (qhat2, 1 - beta) };
        if (beta - alpha > 0) expectedAtoms.Add((qhat2 + sw * x1, beta - alpha));
        if (alpha + beta - 1 > 0) expectedAtoms.Add((qhat2 + sw * x2, alpha + beta - 1));
        expectedAtoms.Sort();
        output.WriteLine($"alpha {alpha} beta {beta}; atoms {string.Join(", ", law.Atoms)}; lambda_max {law.LambdaMax}; mass {law.TotalMass}");
        Assert.Equal(expectedAtoms.Count, law.Atoms.Count);
        for (int i = 0; i < expectedAtoms.Count; i++)
        {
            Assert.Equal(expectedAtoms[i].Position, law.Atoms[i].Position, 1e-12 * expectedAtoms[i].Position);
            Assert.Equal(expectedAtoms[i].Mass, law.Atoms[i].Mass, 1e-12);
        }

        double root = Math.Sqrt(4 * alpha * beta * (1 - alpha) * (1 - beta));
        double top = Math.Max(qhat2 + sw * (x1 + (x2 - x1) * (alpha + beta - 2 * alpha * beta + root)), alpha + beta > 1 ? qhat2 + sw * x2 : 0);
        Assert.Equal(top, law.LambdaMax, 1e-6 * top);
        CompareTwoProjectionDensity(law, alpha, beta, qhat2, qhat2 + sw * x1, sw * (x2 - x1), 1e-3);
        // Mass: edges of the sqrt type here; Fejer's rule on the refined grid integrates them to ~1e-4.
        Assert.Equal(1, law.TotalMass, 2e-3);
    }

    /// <summary>Density of y = offset + scale t, t with the continuous part of the two-projection law, checked away from the edges.</summary>
    private void CompareTwoProjectionDensity(FisherInformationLaw law, double alpha, double beta, double unusedAtom, double offset, double scale, double tolerance, double fromT = 0, double toT = 1)
    {
        double root = Math.Sqrt(4 * alpha * beta * (1 - alpha) * (1 - beta));
        double lo = alpha + beta - 2 * alpha * beta - root, hi = alpha + beta - 2 * alpha * beta + root;
        double worst = 0, worstT = double.NaN;
        int compared = 0;
        for (int k = 0; k < law.Grid.Count; k++)
        {
            double t = (law.Grid[k] - offset) / scale;
            if (t < lo + 0.01 * (hi - lo) || t > hi - 0.01 * (hi - lo) || t < fromT || t > toT) continue;
            double expected = Math.Sqrt((hi - t) * (t - lo)) / (2 * Math.PI * t * (1 - t)) / scale;
            double err = Math.Abs(law.Density[k] - expected) / expected;
            if (err > worst) worstT = t;
            worst = Math.Max(worst, err);
            compared++;
        }

        output.WriteLine($"density: {compared} points, worst relative error {worst:g3} at t = {worstT:g4}");
        Assert.True(compared > 50);
        Assert.True(worst < tolerance, $"worst relative density error {worst:g3}");
    }

    [Theory]
    [InlineData("relu", 2.0, WeightDistribution.Gaussian, 10)]
    [InlineData("relu", 2.0, WeightDistribution.Orthogonal, 6)]
    [InlineData("tanh", 1.3, WeightDistribution.Gaussian, 6)]
    [InlineData("identity", 1.0, WeightDistribution.Gaussian, 5)]
    [InlineData("leaky_relu(0.2)", 1.5, WeightDistribution.Gaussian, 5)]
    public void MassAndMean_FromDensity(string activation, double sw, WeightDistribution init, int depth)
    {
        var phi = activation == "leaky_relu(0.2)" ? Activation.LeakyRelu(0.2) : Activation.Parse(activation);
        var law = FisherSpectrum.Compute(Square(depth, phi, sw, init));
        output.WriteLine($"mass {law.TotalMass} mean {law.DensityMean} vs {law.Mean} lambda_max {law.LambdaMax}");
        // Gaussian weights: smooth laws, Fejer's rule on 400 Chebyshev points; orthogonal ReLU keeps inverse-square-root
        // singularities inside the support (the arcsine edges of Theorem 3.2 propagate), integrated to ~5e-3.
        double tolerance = init == WeightDistribution.Gaussian ? 1e-3 : 1e-2;
        Assert.Equal(1, law.TotalMass, tolerance);
        Assert.Equal(law.Mean, law.DensityMean, tolerance * law.Mean * 2);
    }

    [Fact]
    public void RectangularGaussian_MassAndMean()
    {
        var net = NetworkArchitecture.Uniform(new[] { 200, 400, 100, 300, 50 }, Activation.Relu, 2, 0, WeightDistribution.Gaussian, Activation.Identity);
        var law = FisherSpectrum.Compute(net);
        output.WriteLine($"mass {law.TotalMass} mean {law.DensityMean} vs {law.Mean}; atoms {string.Join(", ", law.Atoms)}");
        Assert.Equal(1, law.TotalMass, 1e-3);
        Assert.Equal(law.Mean, law.DensityMean, 2e-3 * law.Mean);
    }

    [Fact]
    public void OneLayer_IsPointMassAtInputNormOverOutputWidth()
    {
        // L = 1: H_1 = (|x_0|^2 / M) I = (N_0 / N_1) q_0 I.
        var net = NetworkArchitecture.Uniform(new[] { 300, 100 }, Activation.Identity, 1.3, 0, WeightDistribution.Gaussian, null, 0.5);
        var law = FisherSpectrum.Compute(net);
        Assert.Single(law.Atoms);
        Assert.Equal(1.5, law.Atoms[0].Position, 1e-14);
        Assert.Equal(1.5, law.LambdaMax, 1e-14);
        Assert.Equal(1.5, law.Mean, 1e-14);
        Assert.Equal(1.5, law.Quantile(0.5), 1e-14);
    }

    [Fact]
    public void RectangularOrthogonal_MassAndMean()
    {
        var net = NetworkArchitecture.Uniform(new[] { 200, 400, 100, 300, 50 }, Activation.Relu, 2, 0.1, WeightDistribution.Orthogonal, Activation.Identity);
        var law = FisherSpectrum.Compute(net);
        output.WriteLine($"mass {law.TotalMass} mean {law.DensityMean} vs {law.Mean}; atoms {string.Join(", ", law.Atoms)}");
        Assert.Equal(1, law.TotalMass, 1e-3);
        Assert.Equal(law.Mean, law.DensityMean, 2e-3 * law.Mean);
    }

    [Fact]
    public void OrthogonalIdentity_IsDeterministic()
    {
        // Orthogonal square identity network: H_L = sum_l sigma^{2(L-l)} qhat_{l-1} I, a single atom at the mean.
        var law = FisherSpectrum.Compute(Square(5, Activation.Identity, 0.9, WeightDistribution.Orthogonal));
        Assert.Single(law.Atoms);
        Assert.Equal(1, law.Atoms[0].Mass, 1e-12);
        Assert.Equal(law.Mean, law.Atoms[0].Position, 1e-12 * law.Mean);
        Assert.Equal(law.Mean, law.LambdaMax, 1e-6 * law.Mean);
    }

    [Fact]
    public void Theorem43_ApproximateIsometry_LambdaMaxOverDepthApproachesLimit()
    {
        // Orthogonal tanh with a small bias: q* small, nu_l concentrated near E[phi'^2]; sigma_w^2 set so that
        // chi = 1 - eps2/L exactly at the input layer. Theorem 4.3: lambda_max / L -> qhat (1 - exp(-eps2)) / eps2.
        // Our reading of eps2: L (1 - chi). The gap must shrink as q* -> 0 (nu -> a point mass).
        const double eps2 = 1.0;
        const int depth = 16;
        double previousGap = double.PositiveInfinity;
        foreach (double q in new[] { 0.1, 0.02, 0.004 })
        {
            // Fixed point of tanh with chi(q) = 1 - eps2/L: sigma_w^2 = (1 - eps2/L)/E[phi'^2](q), bias keeps q fixed.
            double chi = 1 - eps2 / depth;
            double sw = chi / ActivationMoments.DerivativeSecondMoment(Activation.Tanh, q);
            double qhat = ActivationMoments.SecondMoment(Activation.Tanh, q);
            double sb = q - sw * qhat;
            Assert.True(sb > 0);
            var net = Square(depth, Activation.Tanh, sw, WeightDistribution.Orthogonal, sb, q0: qhat);
            double lambdaMax = FisherSpectrum.LargestEigenvalue(net);
            double predicted = qhat * (1 - Math.Pow(chi, depth)) / (1 - chi) / depth; // finite-L version of q (1 - e^-eps)/eps
            double limit = qhat * (1 - Math.Exp(-eps2)) / eps2;
            double gap = Math.Abs(lambdaMax / depth / predicted - 1);
            output.WriteLine($"q {q}: lambda_max/L {lambdaMax / depth:g6}, finite-L prediction {predicted:g6}, limit {limit:g6}, relative gap {gap:g3}");
            Assert.True(gap < previousGap, "the gap to Theorem 4.3 must shrink as q -> 0");
            previousGap = gap;
        }

        Assert.True(previousGap < 0.1);
    }
}
