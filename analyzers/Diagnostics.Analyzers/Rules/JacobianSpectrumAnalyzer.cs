using System;
using System.Collections.Immutable;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Diagnostics.Analyzers.Rules
{
    /// <summary>
    /// Reads TorchSharp models (root Sequential calls, Module&lt;Tensor, Tensor&gt; subclasses), computes the limiting
    /// law of the squared singular values of their input-output Jacobian at initialisation and reports FPT001
    /// (exploding), FPT002 (vanishing), FPT003 (SGD learning rate above 1/lambda_max of the Fisher information), FPT004 (summary) and FPT005 (not analysable, with the reason).
    /// </summary>
    /// <remarks>
    /// Pennington, Schoenholz and Ganguli (2017) for the free-probability law; the regime is read from the 90% quantile of
    /// the non-zero squared singular values. One diagnostic set per model; the spectra are cached by architecture.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class JacobianSpectrumAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.FPT001_ExplodingJacobianSpectrum,
            Descriptors.FPT002_VanishingJacobianSpectrum,
            Descriptors.FPT003_LearningRateAboveStabilityBound,
            Descriptors.FPT004_JacobianSpectrumSummary,
            Descriptors.FPT005_ModelNotAnalysable);

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                bool referenced = start.Compilation.GetTypeByMetadataName(TorchSharpApi.TorchType) != null;
                start.RegisterSyntaxNodeAction(c => AnalyzeInvocation(c, referenced), SyntaxKind.InvocationExpression);
                start.RegisterSyntaxNodeAction(c => AnalyzeClass(c, referenced), SyntaxKind.ClassDeclaration);
            });
        }

        private static void AnalyzeInvocation(SyntaxNodeAnalysisContext context, bool referenced)
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            if (TorchCallResolver.InvokedName(invocation) != "Sequential") return;
            Run(context, referenced, extractor => extractor.FromSequential(invocation));
        }

        private static void AnalyzeClass(SyntaxNodeAnalysisContext context, bool referenced)
        {
            var cls = (ClassDeclarationSyntax)context.Node;
            if (cls.BaseList == null) return;
            Run(context, referenced, extractor => extractor.FromModuleClass(cls));
        }

        private static void Run(SyntaxNodeAnalysisContext context, bool referenced, Func<ModelExtractor, ExtractedModel?> extract)
        {
            var tree = context.Node.SyntaxTree;
            if (!referenced && !TorchCallResolver.HasTorchSharpUsing(tree.GetRoot(context.CancellationToken))) return;
            ExtractedModel? model = null;
            try
            {
                var resolver = new TorchCallResolver(context.SemanticModel, referenced, context.CancellationToken);
                model = extract(new ModelExtractor(resolver));
                if (model == null) return;
                var settings = AnalyzerSettings.Read(context.Options, tree);
                foreach (var diagnostic in ModelAnalysis.Analyze(model, settings, context.CancellationToken)) context.ReportDiagnostic(diagnostic);
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Never throw from an analyzer: degrade to "not analysable" with what went wrong.
                var location = model?.Location ?? context.Node.GetLocation();
                var name = model?.Name ?? "this model";
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.FPT005_ModelNotAnalysable, location, name, $"internal error ({ex.GetType().Name}: {ex.Message})"));
            }
        }
    }
}
