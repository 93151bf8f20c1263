using System;
using System.Collections.Immutable;
using System.Collections.Generic;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Diagnostics.Analyzers;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Diagnostics.CodeFixes.Rules
{
    /// <summary>
    /// Fix for FPT001/FPT002: initialise every Linear weight at the critical variance of the activation that follows
    /// it (chi = 1 for that layer), right after the model and its existing initialisation (or at the end of the
    /// module's constructor, after RegisterComponents): kaiming_normal_ for ReLU, leaky ReLU and the identity (exact),
    /// normal_ with std = sqrt(sigma_w^2 / fan_in) and the engine's critical sigma_w^2 (CriticalGain.AtFixedPoint of the
    /// layer's activation and bias variance) for the other activations. When every layer gets the same init, one loop
    /// over named_parameters() writes it; otherwise each layer gets its own: by position among the weights of a
    /// Sequential (a switch on a counter in the loop), or by field (fc1.weight) and collection element (layers[k].weight
    /// of a ModuleList&lt;Linear&gt;, List&lt;Linear&gt; or Linear[] field, cast to Linear in a collection of modules; one
    /// foreach over the collection when all its elements get the same init) in a Module subclass. Biases are kept:
    /// the critical values were computed with their variances.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CriticalGainFixer)), Shared]
    public sealed class CriticalGainFixer : CodeFixProvider
    {
        /// <summary>The Linear module type, written in full where an element of a collection of modules is cast to it.</summary>
        private const string LinearType = "TorchSharp.Modules.Linear";

        /// <summary>Equivalence key of the fix (FixAll groups by it).</summary>
        public const string EquivalenceKey = "FPT.SetCriticalGain";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(Descriptors.FPT001_ExplodingJacobianSpectrum.Id, Descriptors.FPT002_VanishingJacobianSpectrum.Id);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root == null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var plan = Plan(root, diagnostic);
                if (plan == null) continue;
                context.RegisterCodeFix(
                    CodeAction.Create($"Initialise the weights at the critical variance ({plan.Value.Summary})", c => ApplyAsync(context.Document, diagnostic, c), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> ApplyAsync(Document document, Diagnostic diagnostic, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            if (root == null) return document;
            var plan = Plan(root, diagnostic);
            if (plan == null) return document;
            var editor = await DocumentEditor.CreateAsync(document, cancellation).ConfigureAwait(false);
            var (anchor, statements, _) = plan.Value;
            if (anchor is BlockSyntax block) editor.ReplaceNode(block, block.AddStatements(statements.ToArray()));
            else editor.InsertAfter(anchor, statements);
            return editor.GetChangedDocument();
        }

        /// <summary>Where to insert (a statement to insert after, or a block to append to) and what.</summary>
        private static (SyntaxNode Anchor, IReadOnlyList<StatementSyntax> Statements, string Summary)? Plan(SyntaxNode root, Diagnostic diagnostic)
        {
            if (!diagnostic.Properties.TryGetValue(ModelAnalysis.ActivationProperty, out var activation) || activation == null) return null;
            diagnostic.Properties.TryGetValue(ModelAnalysis.CriticalWeightVarianceProperty, out var criticalText);
            diagnostic.Properties.TryGetValue(LayerCriticalGains.LayerInitsProperty, out var layerInits);
            diagnostic.Properties.TryGetValue(LayerCriticalGains.LayerTargetsProperty, out var layerTargets);
            diagnostic.Properties.TryGetValue(LayerCriticalGains.LayerFanInsProperty, out var layerFanIns);
            diagnostic.Properties.TryGetValue(LayerCriticalGains.LayerCollectionsProperty, out var layerCollections);
            // The per-layer values are computed in the background like the spectrum: until they are ready (the next
            // analysis has them) no fix is offered, rather than one value for every layer.
            if (string.IsNullOrEmpty(layerInits)) return null;
            var specs = layerInits!.Split(';');
            bool perLayer = specs.Distinct(StringComparer.Ordinal).Count() > 1;
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var newline = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString();
            if (newline.Length == 0) newline = "\n";

            string? owner;
            SyntaxNode anchor;
            string indent;
            if (node.FirstAncestorOrSelf<InvocationExpressionSyntax>() is InvocationExpressionSyntax sequential && sequential.Expression.Span == diagnostic.Location.SourceSpan)
            {
                var statement = sequential.FirstAncestorOrSelf<StatementSyntax>();
                owner = VariableOf(sequential);
                if (owner == null || statement == null || !(statement.Parent is BlockSyntax block)) return null;
                anchor = LastInitStatement(block, statement);
                indent = IndentOf(anchor);
            }
            else if (node.FirstAncestorOrSelf<ClassDeclarationSyntax>() is ClassDeclarationSyntax cls && cls.Identifier.Span == diagnostic.Location.SourceSpan)
            {
                var ctor = cls.Members.OfType<ConstructorDeclarationSyntax>().FirstOrDefault(c => c.Body != null && !c.Modifiers.Any(SyntaxKind.StaticKeyword));
                if (ctor?.Body == null) return null;
                owner = null;
                // After RegisterComponents (named_parameters() is empty before it) and after any existing initialisation.
                var last = ctor.Body.Statements.LastOrDefault(s => s is ExpressionStatementSyntax es && es.Expression is InvocationExpressionSyntax inv
                    && TorchCallResolver.InvokedName(inv) == "RegisterComponents" || CallsInit(s));
                anchor = last ?? (SyntaxNode)ctor.Body;
                indent = last != null ? IndentOf(last) : IndentOf(ctor) + "    ";
            }
            else
            {
                return null;
            }

            if (perLayer)
            {
                var statements = PerLayer(diagnostic.Id, specs, layerTargets, layerFanIns, layerCollections, owner, anchor, indent, newline, out var perLayerSummary);
                return statements == null ? ((SyntaxNode, IReadOnlyList<StatementSyntax>, string)?)null : (anchor, statements, perLayerSummary);
            }

            {
                // Every layer gets the same init: that of its (single) activation.
                var only = specs[0];
                int eq = only.IndexOf('=');
                activation = eq < 0 ? only : only.Substring(0, eq);
                if (eq >= 0) criticalText = only.Substring(eq + 1);
            }

            var (call, summary) = InitCall(activation, criticalText);
            if (call == null) return null;
            var names = UnusedNames(anchor);
            var source = new StringBuilder()
                .Append(newline).Append(indent).Append("// ").Append(diagnostic.Id).Append(": ").Append(summary).Append(newline)
                .Append(indent).Append("foreach (var (").Append(names.Name).Append(", ").Append(names.Parameter).Append(") in ")
                .Append(owner == null ? "" : owner + ".").Append("named_parameters())").Append(newline)
                .Append(indent).Append('{').Append(newline)
                .Append(indent).Append("    if (").Append(names.Name).Append(".EndsWith(\"weight\")) ").Append(call.Replace("{p}", names.Parameter)).Append(newline)
                .Append(indent).Append('}').Append(newline)
                .ToString();
            var parsed = SyntaxFactory.ParseStatement(source);
            return (anchor, new[] { parsed }, summary);
        }

        /// <summary>
        /// One init per layer: a switch on the weight's position in owner.named_parameters() (a root Sequential, or a
        /// Sequential field of a module), or one statement per Linear field and per element of a collection field
        /// (layers[k].weight), with one foreach over a collection whose elements all get the same init; null when the
        /// layers cannot be addressed.
        /// </summary>
        private static IReadOnlyList<StatementSyntax>? PerLayer(string id, string[] specs, string? targets, string? fanInsText, string? collectionsText, string? owner,
            SyntaxNode anchor, string indent, string newline, out string summary)
        {
            summary = "";
            if (targets == null || fanInsText == null) return null;
            var fanIns = fanInsText.Split(';');
            if (fanIns.Length != specs.Length) return null;
            var calls = new string[specs.Length];
            var reasons = new string[specs.Length];
            for (int l = 0; l < specs.Length; l++)
            {
                int eq = specs[l].IndexOf('=');
                var (call, reason) = eq < 0 ? InitCall(specs[l], null) : InitCall(specs[l].Substring(0, eq), specs[l].Substring(eq + 1));
                if (call == null) return null;
                calls[l] = call;
                reasons[l] = Short(specs[l]);
            }

            // Runs of layers with the same init, for the comment and the case labels.
            var runs = new List<(int From, int To)>();
            for (int l = 0; l < specs.Length; l++)
            {
                if (runs.Count > 0 && calls[runs[runs.Count - 1].To] == calls[l] && runs[runs.Count - 1].To == l - 1) runs[runs.Count - 1] = (runs[runs.Count - 1].From, l);
                else runs.Add((l, l));
            }

            summary = "per layer: " + string.Join(", ", runs.Select(r => (r.From == r.To ? $"layer {r.From + 1}" : $"layers {r.From + 1}-{r.To + 1}") + " " + reasons[r.From]));
            var sb = new StringBuilder().Append('{').Append(newline);
            sb.Append(newline).Append(indent).Append("// ").Append(id).Append(": each layer at the critical variance of its activation (chi = 1 per layer), ").Append(summary).Append(newline);
            if (targets.StartsWith("fields:", StringComparison.Ordinal))
            {
                var fields = targets.Substring("fields:".Length).Split(',');
                if (fields.Length != specs.Length) return null;
                // "layers=6" (a collection of Linear) or "layers=6=cast" (of modules: the element is cast to Linear for its weight).
                var collections = (collectionsText ?? "").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('='))
                    .Where(c => (c.Length == 2 || c.Length == 3 && c[2] == "cast") && int.TryParse(c[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    .ToDictionary(c => c[0], c => (Count: int.Parse(c[1], CultureInfo.InvariantCulture), Cast: c.Length == 3), StringComparer.Ordinal);
                var written = new HashSet<int>();
                string? loopVariable = null;
                for (int l = 0; l < specs.Length; l++)
                {
                    if (written.Contains(l)) continue;
                    var perElement = calls[l].Replace("{p}.shape[1]", fanIns[l]);
                    int bracket = fields[l].IndexOf('[');
                    var address = fields[l];
                    if (bracket > 0 && collections.TryGetValue(fields[l].Substring(0, bracket), out var info))
                    {
                        var count = info.Count;
                        if (info.Cast) address = "((" + LinearType + ")" + fields[l] + ")";
                        // Every element of the collection with the same init (same activation, bias variance and fan-in): one loop.
                        var collection = fields[l].Substring(0, bracket);
                        var elements = Enumerable.Range(0, specs.Length).Where(k => fields[k].StartsWith(collection + "[", StringComparison.Ordinal)).ToList();
                        if (elements.Count == count && count > 1 && elements.All(k => calls[k].Replace("{p}.shape[1]", fanIns[k]) == perElement))
                        {
                            loopVariable ??= UnusedName(anchor, "layer");
                            sb.Append(indent).Append("foreach (").Append(info.Cast ? LinearType : "var").Append(' ').Append(loopVariable).Append(" in ").Append(collection).Append(") ")
                                .Append(perElement.Replace("{p}", loopVariable + ".weight!")).Append(newline);
                            foreach (var k in elements) written.Add(k);
                            continue;
                        }
                    }

                    sb.Append(indent).Append(perElement.Replace("{p}", address + ".weight!")).Append(newline);
                }
            }
            else
            {
                string? over = targets == "sequential" ? owner : targets.StartsWith("container:", StringComparison.Ordinal) ? targets.Substring("container:".Length) : null;
                if (over == null) return null;
                var names = UnusedNames(anchor);
                // Named after the model: two models fixed in one method (FixAll) get two counters.
                var counter = UnusedName(anchor, over + "LayerIndex");
                sb.Append(indent).Append("var ").Append(counter).Append(" = 0;").Append(newline)
                    .Append(indent).Append("foreach (var (").Append(names.Name).Append(", ").Append(names.Parameter).Append(") in ").Append(over).Append(".named_parameters())").Append(newline)
                    .Append(indent).Append('{').Append(newline)
                    .Append(indent).Append("    if (").Append(names.Name).Append(".EndsWith(\"weight\"))").Append(newline)
                    .Append(indent).Append("    {").Append(newline)
                    .Append(indent).Append("        switch (").Append(counter).Append("++)").Append(newline)
                    .Append(indent).Append("        {").Append(newline);
                foreach (var run in runs)
                {
                    sb.Append(indent).Append("            ");
                    for (int l = run.From; l <= run.To; l++) sb.Append(l > run.From ? " " : "").Append("case ").Append(l.ToString(CultureInfo.InvariantCulture)).Append(':');
                    sb.Append(newline)
                        .Append(indent).Append("                ").Append(calls[run.From].Replace("{p}", names.Parameter)).Append(newline)
                        .Append(indent).Append("                break;").Append(newline);
                }

                sb.Append(indent).Append("        }").Append(newline)
                    .Append(indent).Append("    }").Append(newline)
                    .Append(indent).Append('}').Append(newline);
            }

            sb.Append('}');
            var block = (BlockSyntax)SyntaxFactory.ParseStatement(sb.ToString());
            return block.Statements.ToList();
        }

        /// <summary>"relu sigma_w^2 = 2", "identity sigma_w^2 = 1", "leaky_relu(0.2) sigma_w^2 = 1.923077" or "tanh sigma_w^2 = 1.0123" for the comment.</summary>
        private static string Short(string spec)
        {
            int eq = spec.IndexOf('=');
            if (spec == "relu") return "relu sigma_w^2 = 2";
            if (spec == "identity") return "identity sigma_w^2 = 1";
            if (spec.StartsWith("leaky_relu(", StringComparison.Ordinal)
                && double.TryParse(spec.Substring("leaky_relu(".Length).TrimEnd(')'), NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
                return spec + " sigma_w^2 = " + (2 / (1 + a * a)).ToString("0.0#####", CultureInfo.InvariantCulture);
            if (eq < 0) return spec;
            return double.TryParse(spec.Substring(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var c)
                ? spec.Substring(0, eq) + " sigma_w^2 = " + c.ToString("0.0#####", CultureInfo.InvariantCulture)
                : spec;
        }

        /// <summary>The init call for an activation ("{p}" stands for the parameter) and a sentence saying why.</summary>
        private static (string? Call, string Summary) InitCall(string activation, string? criticalText)
        {
            if (activation == "relu")
                return ("torch.nn.init.kaiming_normal_({p}, nonlinearity: torch.nn.init.NonlinearityType.ReLU);", "sigma_w^2 = 2 gives chi = 1 per relu layer");
            if (activation == "identity")
                return ("torch.nn.init.kaiming_normal_({p}, nonlinearity: torch.nn.init.NonlinearityType.Linear);", "sigma_w^2 = 1 gives chi = 1 per linear layer");
            if (activation.StartsWith("leaky_relu(", StringComparison.Ordinal))
            {
                var slope = activation.Substring("leaky_relu(".Length).TrimEnd(')');
                return ($"torch.nn.init.kaiming_normal_({{p}}, a: {slope}, nonlinearity: torch.nn.init.NonlinearityType.LeakyReLU);",
                    $"sigma_w^2 = 2 / (1 + {slope}^2) gives chi = 1 per leaky_relu layer");
            }

            if (criticalText == null || !double.TryParse(criticalText, NumberStyles.Float, CultureInfo.InvariantCulture, out var critical) || !(critical > 0)) return (null, "");
            var c = critical.ToString("0.0#####", CultureInfo.InvariantCulture);
            return ($"torch.nn.init.normal_({{p}}, 0.0, System.Math.Sqrt({c} / {{p}}.shape[1]));",
                $"sigma_w^2 = {c}, the critical variance of {activation} computed by the engine (chi = 1 at the fixed point)");
        }

        private static string? VariableOf(InvocationExpressionSyntax invocation)
        {
            SyntaxNode node = invocation;
            while (node.Parent is ParenthesizedExpressionSyntax || node.Parent is CastExpressionSyntax) node = node.Parent;
            if (node.Parent is EqualsValueClauseSyntax eq && eq.Parent is VariableDeclaratorSyntax v) return v.Identifier.ValueText;
            if (node.Parent is AssignmentExpressionSyntax a && a.Left is IdentifierNameSyntax id) return id.Identifier.ValueText;
            return null;
        }

        /// <summary>The declaration statement or the last later statement of the block that calls torch.nn.init (the fix must come after them).</summary>
        private static StatementSyntax LastInitStatement(BlockSyntax block, StatementSyntax declaration)
        {
            var anchor = declaration;
            foreach (var s in block.Statements.Where(s => s.SpanStart > declaration.SpanStart))
            {
                if (s is ReturnStatementSyntax) break;
                if (CallsInit(s)) anchor = s;
            }

            return anchor;
        }

        private static bool CallsInit(StatementSyntax statement) =>
            statement.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i =>
                TorchCallResolver.InvokedName(i) is string n && TorchSharpApi.TryGet(n, out var m) && m.Kind == TorchMemberKind.Init);

        private static string IndentOf(SyntaxNode node)
        {
            var leading = node.GetLeadingTrivia();
            return leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia) ? leading.Last().ToString() : "";
        }

        private static string UnusedName(SyntaxNode anchor, string stem)
        {
            var scope = (SyntaxNode?)anchor.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? anchor;
            var used = scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
            for (int k = 0; k < 100; k++)
            {
                var name = stem + (k == 0 ? "" : k.ToString(CultureInfo.InvariantCulture));
                if (!used.Contains(name)) return name;
            }

            return stem + "_fpt";
        }

        private static (string Name, string Parameter) UnusedNames(SyntaxNode anchor)
        {
            var scope = (SyntaxNode?)anchor.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? anchor;
            var used = scope.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).ToImmutableHashSet();
            for (int k = 0; k < 100; k++)
            {
                var suffix = k == 0 ? "" : k.ToString(CultureInfo.InvariantCulture);
                string name = "parameterName" + suffix, parameter = "parameter" + suffix;
                if (!used.Contains(name) && !used.Contains(parameter)) return (name, parameter);
            }

            return ("parameterName_fpt", "parameter_fpt");
        }
    }
}
