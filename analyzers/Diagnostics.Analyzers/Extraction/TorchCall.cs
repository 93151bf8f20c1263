using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>A call of a recognised TorchSharp member with its arguments mapped to parameter names.</summary>
    internal sealed class TorchCall
    {
        public TorchCall(TorchMember member, InvocationExpressionSyntax invocation, Dictionary<string, ExpressionSyntax> arguments, List<ExpressionSyntax> all)
        {
            Member = member;
            Invocation = invocation;
            Arguments = arguments;
            AllArguments = all;
        }

        public TorchMember Member { get; }

        public InvocationExpressionSyntax Invocation { get; }

        /// <summary>Arguments by parameter name (positional ones mapped in declaration order).</summary>
        public Dictionary<string, ExpressionSyntax> Arguments { get; }

        /// <summary>All argument expressions in source order (the params array of Sequential).</summary>
        public List<ExpressionSyntax> AllArguments { get; }

        public ExpressionSyntax? Arg(string name) => Arguments.TryGetValue(name, out var e) ? e : null;
    }

    /// <summary>
    /// Decides whether an invocation calls a TorchSharp member. With TorchSharp referenced the semantic model decides
    /// (the resolved method must be declared in the TorchSharp namespace, its parameter names map the arguments); in
    /// loose files without references a syntax fallback accepts the known names under a TorchSharp using and a
    /// torch-like qualifier (torch, nn, init, optim, functional).
    /// </summary>
    internal sealed class TorchCallResolver
    {
        private static readonly HashSet<string> Qualifiers = new HashSet<string>(StringComparer.Ordinal)
        {
            "torch", "nn", "init", "optim", "functional", "F", "TorchSharp",
        };

        private readonly SemanticModel? _model;
        private readonly CancellationToken _cancellation;

        public TorchCallResolver(SemanticModel? model, bool torchSharpReferenced, CancellationToken cancellation)
        {
            _model = model;
            TorchSharpReferenced = torchSharpReferenced;
            _cancellation = cancellation;
        }

        public bool TorchSharpReferenced { get; }

        public SemanticModel? Model => _model;

        public CancellationToken Cancellation => _cancellation;

        /// <summary>True when the file names TorchSharp in a using directive (the key of the syntax fallback).</summary>
        public static bool HasTorchSharpUsing(SyntaxNode root)
        {
            foreach (var u in root.DescendantNodes(n => n is CompilationUnitSyntax || n is BaseNamespaceDeclarationSyntax).OfType<UsingDirectiveSyntax>())
            {
                var name = u.Name?.ToString() ?? "";
                if (name == TorchSharpApi.Namespace || name.StartsWith(TorchSharpApi.Namespace + ".", StringComparison.Ordinal)) return true;
            }

            return false;
        }

        /// <summary>Simple name of the invoked member (Linear for torch.nn.Linear(...)), or null.</summary>
        public static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            MemberAccessExpressionSyntax ma => ma.Name.Identifier.ValueText,
            GenericNameSyntax g => g.Identifier.ValueText,
            _ => null,
        };

        public TorchCall? Resolve(ExpressionSyntax expression)
        {
            if (!(expression is InvocationExpressionSyntax invocation)) return null;
            var name = InvokedName(invocation);
            if (name == null || !TorchSharpApi.TryGet(name, out var member)) return null;
            var method = ResolveMethod(invocation);
            if (method != null)
            {
                if (!IsTorchSharp(method.ContainingType)) return null;
                var fromOperation = FromOperation(member, invocation);
                if (fromOperation != null) return fromOperation;
            }
            else if (!SyntaxLooksLikeTorch(invocation))
            {
                return null;
            }

            IReadOnlyList<string> parameters = method != null ? method.Parameters.Select(p => p.Name).ToArray() : member.Parameters;
            var map = new Dictionary<string, ExpressionSyntax>(StringComparer.Ordinal);
            var all = new List<ExpressionSyntax>();
            int position = 0;
            foreach (var arg in invocation.ArgumentList.Arguments)
            {
                all.Add(arg.Expression);
                if (arg.NameColon != null)
                {
                    map[arg.NameColon.Name.Identifier.ValueText] = arg.Expression;
                }
                else
                {
                    if (position < parameters.Count) map[parameters[position]] = arg.Expression;
                    position++;
                }
            }

            return new TorchCall(member, invocation, map, all);
        }

        /// <summary>
        /// Arguments from the IInvocationOperation of a resolved call: each explicit argument under its parameter's
        /// name (named or positional alike), the elements of a params array in order; defaults are left to the callers,
        /// which apply TorchSharp's documented defaults.
        /// </summary>
        private TorchCall? FromOperation(TorchMember member, InvocationExpressionSyntax invocation)
        {
            if (_model == null || !(_model.GetOperation(invocation, _cancellation) is Microsoft.CodeAnalysis.Operations.IInvocationOperation operation)) return null;
            var map = new Dictionary<string, ExpressionSyntax>(StringComparer.Ordinal);
            var all = new List<(int Position, ExpressionSyntax Expression)>();
            foreach (var argument in operation.Arguments)
            {
                if (argument.ArgumentKind == Microsoft.CodeAnalysis.Operations.ArgumentKind.DefaultValue || argument.Parameter == null) continue;
                if (argument.ArgumentKind == Microsoft.CodeAnalysis.Operations.ArgumentKind.ParamArray)
                {
                    if (argument.Value is Microsoft.CodeAnalysis.Operations.IArrayCreationOperation array && array.Initializer != null)
                    {
                        foreach (var element in array.Initializer.ElementValues)
                        {
                            if (element.Syntax is ExpressionSyntax e) all.Add((e.SpanStart, e));
                        }
                    }

                    continue;
                }

                // The syntax is the ArgumentSyntax, or the operand itself for a null-forgiving argument (fc1.weight!).
                var expression = argument.Syntax is ArgumentSyntax syntax ? syntax.Expression : argument.Syntax as ExpressionSyntax;
                if (expression == null) continue;
                map[argument.Parameter.Name] = expression;
                all.Add((expression.SpanStart, expression));
            }

            return new TorchCall(member, invocation, map, all.OrderBy(a => a.Position).Select(a => a.Expression).ToList());
        }

        /// <summary>True for a functional or tensor-method activation (functional.relu(x), torch.tanh(x), x.relu()).</summary>
        public string? FunctionalActivation(InvocationExpressionSyntax invocation, out ExpressionSyntax? slopeArgument)
        {
            slopeArgument = null;
            var name = InvokedName(invocation);
            if (name == null || !TorchSharpApi.FunctionalActivations.TryGetValue(name, out var activation)) return null;
            var method = ResolveMethod(invocation);
            if (method != null)
            {
                if (!IsTorchSharp(method.ContainingType)) return null;
            }
            else if (!TorchSharpReferenced || _model == null)
            {
                // Syntax fallback: any receiver (x.relu()) or a torch-like qualifier.
            }
            else
            {
                return null;
            }

            var args = invocation.ArgumentList.Arguments;
            bool isTensorMethod = invocation.Expression is MemberAccessExpressionSyntax ma && !(ma.Expression is IdentifierNameSyntax q && Qualifiers.Contains(q.Identifier.ValueText))
                && !(ma.Expression is MemberAccessExpressionSyntax qm && Qualifiers.Contains(qm.Name.Identifier.ValueText));
            if (method != null) isTensorMethod = !method.IsStatic;
            int slopeIndex = isTensorMethod ? 0 : 1;
            foreach (var a in args)
            {
                if (a.NameColon?.Name.Identifier.ValueText == "negative_slope") slopeArgument = a.Expression;
            }

            if (slopeArgument == null && args.Count > slopeIndex && args[slopeIndex].NameColon == null) slopeArgument = args[slopeIndex].Expression;
            return activation;
        }

        public IMethodSymbol? ResolveMethod(InvocationExpressionSyntax invocation)
        {
            if (_model == null || !TorchSharpReferenced) return null;
            if (invocation.SyntaxTree != _model.SyntaxTree) return null;
            var info = _model.GetSymbolInfo(invocation, _cancellation);
            if (info.Symbol is IMethodSymbol m) return m;
            return info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] as IMethodSymbol : null;
        }

        public static bool IsTorchSharp(ITypeSymbol? type)
        {
            for (var ns = type?.ContainingNamespace; ns != null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
            {
                if (ns.ContainingNamespace != null && ns.ContainingNamespace.IsGlobalNamespace) return ns.Name == TorchSharpApi.Namespace;
            }

            return false;
        }

        private bool SyntaxLooksLikeTorch(InvocationExpressionSyntax invocation)
        {
            if (TorchSharpReferenced && _model != null) return false; // resolved symbols decide when TorchSharp is referenced
            switch (invocation.Expression)
            {
                case IdentifierNameSyntax _:
                    return true; // using static TorchSharp.torch.nn
                case MemberAccessExpressionSyntax ma:
                    var q = ma.Expression switch
                    {
                        IdentifierNameSyntax id => id.Identifier.ValueText,
                        MemberAccessExpressionSyntax inner => inner.Name.Identifier.ValueText,
                        _ => null,
                    };
                    return q != null && Qualifiers.Contains(q);
                default:
                    return false;
            }
        }
    }
}
