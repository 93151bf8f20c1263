using Diagnostics.Runtime.Estimators;
using Diagnostics.Runtime.Models;
using Xunit;

namespace Diagnostics.Runtime.Tests.Estimators;

public class FlaggedEstimateTests
{
    [Fact]
    public void NaNProducts_GiveNonFiniteEstimates()
    {
        var model = new BrokenModel(throwing: false);
        Assert.Equal(EstimateStatus.NonFinite, new SpectralNormEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.NonFinite, new MeanSquaredSingularValueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.NonFinite, new FisherMaxEigenvalueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.NonFinite, new GaussNewtonMaxEigenvalueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.NonFinite, new StochasticLanczosQuadrature().Estimate(model).Status);
    }

    [Fact]
    public void ThrowingModel_GivesModelFailedEstimates()
    {
        var model = new BrokenModel(throwing: true);
        var e = new SpectralNormEstimator().Estimate(model);
        Assert.Equal(EstimateStatus.ModelFailed, e.Status);
        Assert.Contains("ObjectDisposedException", e.Message);
        Assert.True(double.IsNaN(e.Value));
        Assert.Equal(EstimateStatus.ModelFailed, new MeanSquaredSingularValueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.ModelFailed, new FisherMaxEigenvalueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.ModelFailed, new GaussNewtonMaxEigenvalueEstimator().Estimate(model).Status);
        Assert.Equal(EstimateStatus.ModelFailed, new StochasticLanczosQuadrature().Estimate(model).Status);
    }

    [Fact]
    public void IterationCap_GivesNotConvergedWithAnHonestErrorBar()
    {
        var net = Diagnostics.Runtime.Reference.ReferenceMlp.Uniform(new[] { 64, 64, 64 }, Diagnostics.Spectra.Architecture.Activation.Relu,
            Diagnostics.Runtime.Reference.MlpInitialization.Gaussian(2), 1);
        var probes = TestData.GaussianInputs(2, 64, 2);
        net.SetProbes(probes);
        var e = new SpectralNormEstimator { MaxIterations = 3, Tolerance = 1e-12 }.Estimate(net);
        Assert.Equal(EstimateStatus.NotConverged, e.Status);
        double exact = TestData.StackedInputJacobian(net, probes).Svd(false).S[0];
        Assert.True(e.Value <= exact * (1 + 1e-12)); // Ritz values never exceed lambda_max
        Assert.True(e.ErrorBar > 0);
    }
}

/// <summary>A model that returns NaN everywhere, or throws as a disposed TorchSharp module would.</summary>
internal sealed class BrokenModel : IDifferentiableModel
{
    private readonly bool _throwing;

    public BrokenModel(bool throwing) => _throwing = throwing;

    public int ProbeCount => 2;

    public int InputSize => 3;

    public int OutputSize => 2;

    public double LearningRate { get; set; } = 0.1;

    public double[] InputJvp(double[] v) => Result(4);

    public double[] InputVjp(double[] u) => Result(6);

    public double[] ParameterGramProduct(double[] u) => Result(4);

    public double[] Outputs() => Result(4);

    public IReadOnlyList<LayerGradientNorm> GradientNorms() =>
        _throwing ? throw new ObjectDisposedException("model") : new[] { new LayerGradientNorm("layer1", double.NaN, 1) };

    private double[] Result(int n) => _throwing ? throw new ObjectDisposedException("model") : Enumerable.Repeat(double.NaN, n).ToArray();
}
