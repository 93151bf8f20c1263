using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// Folds what the compiler knows into a number: literals, const fields and locals, + - * /, unary minus, casts,
    /// Math.Sqrt, Math.Pow, Math.Abs, Math.PI/Math.E and torch.nn.init.calculate_gain. Everything else is unknown
    /// (the caller reports it; nothing is guessed).
    /// </summary>
    internal sealed class ConstantFolder
    {
        private const int MaxDepth = 32;
        private readonly TorchCallResolver _resolver;

        public ConstantFolder(TorchCallResolver resolver) => _resolver = resolver;

        /// <summary>Values of loop variables (and of collection counts such as layers.Count) while a constant loop is unrolled.</summary>
        public System.Collections.Generic.Dictionary<string, double> Bindings { get; } = new System.Collections.Generic.Dictionary<string, double>(StringComparer.Ordinal);

        public bool TryFold(ExpressionSyntax? expression, out double value) => TryFold(expression, 0, out value);

        /// <summary>Integer width: a constant that is a positive whole number that fits an int.</summary>
        public bool TryFoldWidth(ExpressionSyntax? expression, out int width)
        {
            width = 0;
            if (!TryFold(expression, out var v) || v < 1 || v > int.MaxValue || Math.Floor(v) != v) return false;
            width = (int)v;
            return true;
        }

        /// <summary>Boolean literal or constant.</summary>
        public bool TryFoldBool(ExpressionSyntax? expression, out bool value)
        {
            value = false;
            switch (expression)
            {
                case LiteralExpressionSyntax l when l.IsKind(SyntaxKind.TrueLiteralExpression):
                    value = true;
                    return true;
                case LiteralExpressionSyntax l when l.IsKind(SyntaxKind.FalseLiteralExpression):
                    return true;
                case null:
                    return false;
            }

            switch (expression)
            {
                case ParenthesizedExpressionSyntax p:
                    return TryFoldBool(p.Expression, out value);
                case PrefixUnaryExpressionSyntax not when not.IsKind(SyntaxKind.LogicalNotExpression):
                    if (!TryFoldBool(not.Operand, out var inner)) return false;
                    value = !inner;
                    return true;
                case BinaryExpressionSyntax logical when logical.IsKind(SyntaxKind.LogicalAndExpression) || logical.IsKind(SyntaxKind.LogicalOrExpression):
                    if (!TryFoldBool(logical.Left, out var l) || !TryFoldBool(logical.Right, out var r)) return false;
                    value = logical.IsKind(SyntaxKind.LogicalAndExpression) ? l && r : l || r;
                    return true;
                case BinaryExpressionSyntax cmp when IsComparison(cmp):
                    if (!TryFold(cmp.Left, out var a) || !TryFold(cmp.Right, out var bb)) return false;
                    value = cmp.Kind() switch
                    {
                        SyntaxKind.LessThanExpression => a < bb,
                        SyntaxKind.LessThanOrEqualExpression => a <= bb,
                        SyntaxKind.GreaterThanExpression => a > bb,
                        SyntaxKind.GreaterThanOrEqualExpression => a >= bb,
                        SyntaxKind.EqualsExpression => a == bb,
                        _ => a != bb,
                    };
                    return true;
            }

            var c = SemanticConstant(expression);
            if (c is bool b)
            {
                value = b;
                return true;
            }

            var decl = FindConstInitializer(expression as IdentifierNameSyntax);
            return decl != null && TryFoldBool(decl, out value);
        }

        /// <summary>The key of an expression in <see cref="Bindings"/>: its text without whitespace and without "this.".</summary>
        public static string BindingKey(ExpressionSyntax e) => new string(e.ToString().Where(c => !char.IsWhiteSpace(c)).ToArray()).Replace("this.", "");

        private static bool IsComparison(BinaryExpressionSyntax b) =>
            b.IsKind(SyntaxKind.LessThanExpression) || b.IsKind(SyntaxKind.LessThanOrEqualExpression) || b.IsKind(SyntaxKind.GreaterThanExpression)
            || b.IsKind(SyntaxKind.GreaterThanOrEqualExpression) || b.IsKind(SyntaxKind.EqualsExpression) || b.IsKind(SyntaxKind.NotEqualsExpression);

        /// <summary>Name of an enum member written as Type.Member (NonlinearityType.ReLU, init.FanInOut.FanOut).</summary>
        public static string? EnumMemberName(ExpressionSyntax? expression) => expression is MemberAccessExpressionSyntax ma ? ma.Name.Identifier.ValueText : null;

        private bool TryFold(ExpressionSyntax? e, int depth, out double value)
        {
            value = double.NaN;
            if (e == null || depth > MaxDepth) return false;
            _resolver.Cancellation.ThrowIfCancellationRequested();
            if (Bindings.Count > 0 && (e is IdentifierNameSyntax || e is MemberAccessExpressionSyntax || e is ElementAccessExpressionSyntax || e is InvocationExpressionSyntax)
                && Bindings.TryGetValue(BindingKey(e), out value)) return true;
            switch (e)
            {
                case ConditionalExpressionSyntax cond:
                    return TryFoldBool(cond.Condition, out var which) && TryFold(which ? cond.WhenTrue : cond.WhenFalse, depth + 1, out value);
                case LiteralExpressionSyntax lit when lit.IsKind(SyntaxKind.NumericLiteralExpression):
                    return ToDouble(lit.Token.Value, out value);
                case ParenthesizedExpressionSyntax p:
                    return TryFold(p.Expression, depth + 1, out value);
                case CheckedExpressionSyntax ch:
                    return TryFold(ch.Expression, depth + 1, out value);
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                    if (!TryFold(u.Operand, depth + 1, out var neg)) return false;
                    value = -neg;
                    return true;
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression):
                    return TryFold(u.Operand, depth + 1, out value);
                case CastExpressionSyntax cast:
                    if (!TryFold(cast.Expression, depth + 1, out var inner)) return false;
                    var type = cast.Type.ToString();
                    value = type == "int" || type == "long" || type == "Int32" || type == "Int64" ? Math.Truncate(inner) : inner;
                    return true;
                case BinaryExpressionSyntax b:
                    return FoldBinary(b, depth, out value);
            }

            // The compiler's own constant (const fields, const locals, constant expressions) when references resolve.
            if (ToDouble(SemanticConstant(e), out value)) return true;

            switch (e)
            {
                case IdentifierNameSyntax id:
                    var init = FindConstInitializer(id);
                    return init != null && TryFold(init, depth + 1, out value);
                case MemberAccessExpressionSyntax ma:
                    var owner = ma.Expression.ToString();
                    var member = ma.Name.Identifier.ValueText;
                    if ((owner == "Math" || owner == "System.Math") && member == "PI")
                    {
                        value = Math.PI;
                        return true;
                    }

                    if ((owner == "Math" || owner == "System.Math") && member == "E")
                    {
                        value = Math.E;
                        return true;
                    }

                    if (ma.Expression is ThisExpressionSyntax || ma.Expression is IdentifierNameSyntax)
                    {
                        var constant = FindConstInitializer(SyntaxFactory.IdentifierName(member), ma);
                        return constant != null && TryFold(constant, depth + 1, out value);
                    }

                    return false;
                case InvocationExpressionSyntax inv:
                    return FoldCall(inv, depth, out value);
                default:
                    return false;
            }
        }

        private bool FoldBinary(BinaryExpressionSyntax b, int depth, out double value)
        {
            value = double.NaN;
            if (!TryFold(b.Left, depth + 1, out var l) || !TryFold(b.Right, depth + 1, out var r)) return false;
            switch (b.Kind())
            {
                case SyntaxKind.AddExpression: value = l + r; break;
                case SyntaxKind.SubtractExpression: value = l - r; break;
                case SyntaxKind.MultiplyExpression: value = l * r; break;
                case SyntaxKind.DivideExpression:
                    if (r == 0) return false;
                    value = IsIntegral(b.Left) && IsIntegral(b.Right) ? Math.Truncate(l / r) : l / r;
                    break;
                default: return false;
            }

            return !double.IsNaN(value) && !double.IsInfinity(value);
        }

        private bool FoldCall(InvocationExpressionSyntax inv, int depth, out double value)
        {
            value = double.NaN;
            var args = inv.ArgumentList.Arguments;
            if (inv.Expression is MemberAccessExpressionSyntax ma && (ma.Expression.ToString() == "Math" || ma.Expression.ToString() == "System.Math"))
            {
                var name = ma.Name.Identifier.ValueText;
                if (name == "Sqrt" && args.Count == 1 && TryFold(args[0].Expression, depth + 1, out var x) && x >= 0)
                {
                    value = Math.Sqrt(x);
                    return true;
                }

                if (name == "Pow" && args.Count == 2 && TryFold(args[0].Expression, depth + 1, out var bse) && TryFold(args[1].Expression, depth + 1, out var ex))
                {
                    value = Math.Pow(bse, ex);
                    return !double.IsNaN(value) && !double.IsInfinity(value);
                }

                if (name == "Abs" && args.Count == 1 && TryFold(args[0].Expression, depth + 1, out var a))
                {
                    value = Math.Abs(a);
                    return true;
                }

                return false;
            }

            var call = _resolver.Resolve(inv);
            if (call != null && call.Member.Kind == TorchMemberKind.CalculateGain)
            {
                var nonlinearity = EnumMemberName(call.Arg("nonlinearity"));
                double param = 0; // src/TorchSharp/NN/Init.cs: calculate_gain(NonlinearityType nonlinearity, double param = 0.0)
                if (call.Arg("param") != null && !TryFold(call.Arg("param"), depth + 1, out param)) return false;
                var gain = InitGains.Gain(nonlinearity, param);
                if (gain == null) return false;
                value = gain.Value;
                return true;
            }

            return false;
        }

        private object? SemanticConstant(ExpressionSyntax e)
        {
            var model = _resolver.Model;
            if (model == null || e.SyntaxTree != model.SyntaxTree) return null;
            var c = model.GetConstantValue(e, _resolver.Cancellation);
            return c.HasValue ? c.Value : null;
        }

        /// <summary>Syntax lookup of a const local or const field by name (the fallback when references do not resolve).</summary>
        private static ExpressionSyntax? FindConstInitializer(IdentifierNameSyntax? id, SyntaxNode? from = null)
        {
            if (id == null) return null;
            var name = id.Identifier.ValueText;
            var start = from ?? id;
            foreach (var block in start.Ancestors().OfType<BlockSyntax>())
            {
                foreach (var local in block.Statements.OfType<LocalDeclarationStatementSyntax>())
                {
                    if (!local.IsConst) continue;
                    var v = local.Declaration.Variables.FirstOrDefault(d => d.Identifier.ValueText == name);
                    if (v?.Initializer != null) return v.Initializer.Value;
                }
            }

            foreach (var type in start.Ancestors().OfType<TypeDeclarationSyntax>())
            {
                foreach (var field in type.Members.OfType<FieldDeclarationSyntax>())
                {
                    if (!field.Modifiers.Any(SyntaxKind.ConstKeyword)) continue;
                    var v = field.Declaration.Variables.FirstOrDefault(d => d.Identifier.ValueText == name);
                    if (v?.Initializer != null) return v.Initializer.Value;
                }
            }

            return null;
        }

        private static bool IsIntegral(ExpressionSyntax e) => e is LiteralExpressionSyntax lit && lit.Token.Value is int || e is LiteralExpressionSyntax l2 && l2.Token.Value is long;

        private static bool ToDouble(object? o, out double value)
        {
            value = double.NaN;
            switch (o)
            {
                case int i: value = i; return true;
                case long l: value = l; return true;
                case double d: value = d; return true;
                case float f: value = f; return true;
                case decimal m: value = (double)m; return true;
                case uint ui: value = ui; return true;
                case short s: value = s; return true;
                default: return false;
            }
        }
    }
}
