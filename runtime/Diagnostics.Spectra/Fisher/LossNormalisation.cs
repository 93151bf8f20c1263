namespace Diagnostics.Spectra.Fisher
{
    /// <summary>
    /// The loss whose SGD step size <see cref="FisherInformationLaw.MaxStableLearningRate"/> bounds. All refer to plain
    /// SGD (no momentum, no weight decay) on the weights of a network whose last layer is linear, with M = output width
    /// and B = batch size.
    /// </summary>
    public enum LossNormalisation
    {
        /// <summary>
        /// Hayase and Karakida's normalisation: per sample l(theta; x) = (1 / (2M)) |y - f(x)|^2, whose Gauss-Newton
        /// Hessian (1/M) J^T J has the non-zero spectrum of H_L. Rate: 2 / lambda_max(H_L).
        /// </summary>
        HalfMeanSquaredError,

        /// <summary>
        /// TorchSharp <c>functional.mse_loss(f, y, reduction: Mean)</c> = (1 / (B M)) sum_b |y_b - f(x_b)|^2: twice the paper's
        /// loss (for B = 1), so the Hessian doubles. Rate: 1 / lambda_max(H_L).
        /// </summary>
        TorchMseLossMean,

        /// <summary>
        /// TorchSharp <c>mse_loss</c> with <c>reduction: Sum</c> at batch size 1: |y - f(x)|^2 = 2M times the paper's loss.
        /// Rate: 1 / (M lambda_max(H_L)).
        /// </summary>
        TorchMseLossSum,
    }
}
