using System.Collections.Generic;

namespace Diagnostics.Runtime.Models
{
    /// <summary>
    /// A differentiable model f_theta seen at a fixed batch of M probe inputs x_1..x_M: the products the monitors need,
    /// on small host vectors only.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Vectors are stacked over the probes: an input-sized vector has M * <see cref="InputSize"/> entries (probe i
    /// occupies the block [i N_0, (i+1) N_0)), an output-sized one M * <see cref="OutputSize"/>. The input Jacobian is
    /// therefore the block-diagonal matrix J = diag(J_1, ..., J_M), J_i = df(x_i)/dx (N_L x N_0): its largest singular
    /// value is max_i ||J_i||, tr(J^T J) / (M N_0) is the mean squared singular value over the probes, and the
    /// eigenvalues of J^T J pooled over the probes sample the law the engine predicts
    /// (<c>Diagnostics.Spectra.Laws.JacobianSpectrum</c>).
    /// </para>
    /// <para>
    /// Parameter-space quantities are taken in their dual, output-sized form, so that an implementation never
    /// returns parameter-sized vectors: <see cref="ParameterGramProduct"/> is u -&gt; (1/M) J_theta J_theta^T u with
    /// J_theta the (M N_L) x P Jacobian of the stacked outputs with respect to all P parameters. Its non-zero
    /// eigenvalues are those of the Gauss-Newton (= Fisher) matrix (1/M) J_theta^T J_theta of the loss
    /// (1/(2M)) sum_i ||f(x_i) - y_i||^2 (Hayase and Karakida 2021, the dual conditional Fisher H_L).
    /// </para>
    /// <para>
    /// Designed for reverse-mode-only autodiff (TorchSharp's <c>torch.autograd.grad</c>): <see cref="InputVjp"/> and
    /// the J_theta^T half of <see cref="ParameterGramProduct"/> are one backward pass; <see cref="InputJvp"/> and the
    /// J_theta half can be done by the double-backward trick (J v = d/du (J^T u . v)) or by a finite difference of two
    /// forward passes. Implementations keep their tensors on their device and must leave the model's gradients,
    /// random state and training mode as they found them.
    /// </para>
    /// <para>Methods may throw (a disposed model, a device error); monitors catch and flag, they never rethrow.</para>
    /// </remarks>
    public interface IDifferentiableModel
    {
        /// <summary>M, the number of probe inputs.</summary>
        int ProbeCount { get; }

        /// <summary>N_0, the flattened size of one probe input.</summary>
        int InputSize { get; }

        /// <summary>N_L, the flattened size of one output.</summary>
        int OutputSize { get; }

        /// <summary>J v for the stacked input tangent <paramref name="v"/> (M N_0 entries); returns M N_L entries.</summary>
        double[] InputJvp(double[] v);

        /// <summary>J^T u for the stacked output cotangent <paramref name="u"/> (M N_L entries); returns M N_0 entries.</summary>
        double[] InputVjp(double[] u);

        /// <summary>(1/M) J_theta J_theta^T u, the dual Fisher / Gauss-Newton product of the MSE loss (M N_L entries in and out).</summary>
        double[] ParameterGramProduct(double[] u);

        /// <summary>The stacked outputs f(x_1), ..., f(x_M) (logits for a classifier), M N_L entries.</summary>
        double[] Outputs();

        /// <summary>The optimiser's current learning rate eta (read and written by the learning-rate monitor).</summary>
        double LearningRate { get; set; }

        /// <summary>Euclidean norms of the current parameter gradients, one entry per layer (free: reads stored gradients).</summary>
        IReadOnlyList<LayerGradientNorm> GradientNorms();
    }

    /// <summary>The norm of the gradient of one layer's parameters.</summary>
    public sealed class LayerGradientNorm
    {
        public LayerGradientNorm(string layer, double norm, double parameterNorm)
        {
            Layer = layer;
            Norm = norm;
            ParameterNorm = parameterNorm;
        }

        /// <summary>Layer name (e.g. "layer3" or a TorchSharp module path).</summary>
        public string Layer { get; }

        /// <summary>||grad_theta_l||_2 over the weights and bias of the layer.</summary>
        public double Norm { get; }

        /// <summary>||theta_l||_2, so that relative gradient norms can be read.</summary>
        public double ParameterNorm { get; }
    }
}
