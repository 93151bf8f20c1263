using Microsoft.CodeAnalysis;

namespace Diagnostics.Analyzers
{
    /// <summary>All rule IDs and descriptors of the fpt analyzers. The help link of each rule is derived from its ID.</summary>
    public static class Descriptors
    {
        public const string Category = "Stability";

        private const string HelpLinkBase = "docs/rules/";

        public static readonly DiagnosticDescriptor FPT001_ExplodingJacobianSpectrum = Rule(
            "FPT001",
            "Exploding Jacobian spectrum",
            "90% quantile of squared singular values {0} after {1} layers: gradients explode; critical weight variance for {2} is {3} (this model uses {4})",
            DiagnosticSeverity.Warning,
            "At initialisation the input-output Jacobian of this network amplifies most directions by orders of magnitude: training is unstable. Scale the weights down to the critical variance.");

        public static readonly DiagnosticDescriptor FPT002_VanishingJacobianSpectrum = Rule(
            "FPT002",
            "Vanishing Jacobian spectrum",
            "90% quantile of squared singular values {0} after {1} layers: gradients vanish; critical weight variance for {2} is {3} (this model uses {4})",
            DiagnosticSeverity.Warning,
            "At initialisation the input-output Jacobian of this network shrinks almost every direction by orders of magnitude: early layers barely learn. Scale the weights up to the critical variance.");

        public static readonly DiagnosticDescriptor FPT003_LearningRateAboveStabilityBound = Rule(
            "FPT003",
            "SGD learning rate above the stability bound",
            "SGD learning rate {0} is above the stability bound {1} = {2} (lambda_max = {3} of the Fisher information at initialisation, {4}): training diverges; use <= {5}",
            DiagnosticSeverity.Warning,
            "Plain SGD on a loss whose curvature along some direction is h is stable only for eta < 2 / h; near a minimum the curvature of the MSE loss is the Fisher information, whose largest eigenvalue at initialisation is computed by free probability. Adam, AdamW, RMSProp and SGD with momentum are not checked.");

        public static readonly DiagnosticDescriptor FPT004_JacobianSpectrumSummary = Rule(
            "FPT004",
            "Jacobian spectrum summary",
            "Jacobian spectrum at initialisation of {0}: depth {1}, widths {2}, chi per layer {3}, deciles of squared singular values {4}{5}",
            DiagnosticSeverity.Info,
            "The limiting law of the squared singular values of the input-output Jacobian at initialisation, computed by free probability.");

        public static readonly DiagnosticDescriptor FPT005_ModelNotAnalysable = Rule(
            "FPT005",
            "Model not analysable",
            "The Jacobian spectrum of {0} was not computed: {1}",
            DiagnosticSeverity.Info,
            "The analyzer reads only what the compiler knows (constant widths, recognised layers and initialisations); everything else is reported, never guessed.");

        /// <summary>The help link of a rule: its page under docs/rules.</summary>
        public static string HelpLink(string id) => HelpLinkBase + id + ".md";

        private static DiagnosticDescriptor Rule(string id, string title, string message, DiagnosticSeverity severity, string description) =>
            new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLink(id));
    }
}
