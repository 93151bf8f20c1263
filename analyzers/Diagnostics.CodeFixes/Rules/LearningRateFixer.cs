using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Diagnostics.Analyzers;
using Diagnostics.Analyzers.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.CodeFixes.Rules
{
    /// <summary>
    /// Fix for FPT003: replace the SGD learning-rate argument by a stated fraction of the stability bound
    /// (<c>fpt_learning_rate_fix_fraction</c>, default 0.5), rounded down to 3 significant digits. The fraction is read by
    /// the analyzer and passed in the diagnostic's properties, so the fixed rate is below the bound and the fixed code
    /// raises no FPT003.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LearningRateFixer)), Shared]
    public sealed class LearningRateFixer : CodeFixProvider
    {
        /// <summary>Equivalence key of the fix (FixAll groups by it).</summary>
        public const string EquivalenceKey = "FPT.SetStableLearningRate";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.FPT003_LearningRateAboveStabilityBound.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var plan = Plan(root, diagnostic);
                if (plan == null) continue;
                var (expression, literal) = plan.Value;
                diagnostic.Properties.TryGetValue(LearningRateBound.BoundProperty, out var bound);
                var boundText = bound != null && double.TryParse(bound, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) ? Format.Number(b) : "?";
                context.RegisterCodeFix(
                    CodeAction.Create($"Set the learning rate to {literal} (stability bound {boundText})", c => ApplyAsync(context.Document, diagnostic, c), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> ApplyAsync(Document document, Diagnostic diagnostic, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null) return document;
            var plan = Plan(root, diagnostic);
            if (plan == null) return document;
            var (expression, literal) = plan.Value;
            var replacement = SyntaxFactory.ParseExpression(literal).WithTriviaFrom(expression);
            return document.WithSyntaxRoot(root.ReplaceNode(expression, replacement));
        }

        /// <summary>The learning-rate argument expression and the literal that replaces it; null when the diagnostic has none.</summary>
        private static (ExpressionSyntax Expression, string Literal)? Plan(SyntaxNode root, Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.TryGetValue(LearningRateBound.SuggestedProperty, out var literal) || literal == null) return null;
            if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0)) return null;
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is ArgumentSyntax argument) node = argument.Expression;
            if (!(node is ExpressionSyntax expression) || expression.Span != diagnostic.Location.SourceSpan) return null;
            if (!(expression.Parent is ArgumentSyntax)) return null;
            return (expression, literal);
        }
    }
}
