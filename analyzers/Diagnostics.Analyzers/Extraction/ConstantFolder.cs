using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// Folds what the compiler knows into a number: literals, const fields and locals, + - * /, unary minus, casts,
    /// Math.Sqrt, Math.Pow, Math.Abs, Math.PI/Math.E and torch.nn.init.calculate_gain, locals that are declared
    /// once with an initializer and never written again (no assignment, ++/--, ref/out argument, ref alias or address
    /// anywhere in their scope): their initializer is folded, and readonly fields with a single foldable assignment
    /// (<see cref="ReadonlyFields"/>). Everything else is unknown (the caller reports it, with <see cref="LastFailure"/>
    /// when a local or field was the cause; nothing is guessed).
    /// </summary>
    internal sealed class ConstantFolder
    {
        private const int MaxDepth = 32;
        private readonly TorchCallResolver _resolver;
        private readonly ReadonlyFields _fields;

        public ConstantFolder(TorchCallResolver resolver)
        {
            _resolver = resolver;
            _fields = new ReadonlyFields(this, resolver);
        }

        /// <summary>
        /// Values of loop variables (and of collection counts such as layers.Count) while a constant loop is unrolled; set
        /// them through a <see cref="Scope"/>, so that they end with the loop.
        /// </summary>
        public System.Collections.Generic.Dictionary<string, double> Bindings { get; } = new System.Collections.Generic.Dictionary<string, double>(StringComparer.Ordinal);

        /// <summary>A scope for bindings (a loop being unrolled): dispose it when the loop ends.</summary>
        public BindingScope Scope() => new BindingScope(Bindings);

        /// <summary>
        /// Bindings that last as long as the scope: <see cref="Set"/> binds a key, <see cref="Dispose"/> gives every key
        /// it set the value it had before the scope, or unbinds it. A loop thus leaves nothing behind for the code after it
        /// (or for the next model read with the same folder), and a loop read while another is unrolled (a constructor
        /// loop read from forward, both over i) does not unbind the outer loop's variable.
        /// </summary>
        public sealed class BindingScope : IDisposable
        {
            private readonly System.Collections.Generic.Dictionary<string, double> _bindings;
            private readonly System.Collections.Generic.Dictionary<string, double?> _before = new System.Collections.Generic.Dictionary<string, double?>(StringComparer.Ordinal);

            internal BindingScope(System.Collections.Generic.Dictionary<string, double> bindings) => _bindings = bindings;

            public void Set(string key, double value)
            {
                if (!_before.ContainsKey(key)) _before[key] = _bindings.TryGetValue(key, out var old) ? old : (double?)null;
                _bindings[key] = value;
            }

            public void Dispose()
            {
                foreach (var pair in _before)
                {
                    if (pair.Value is double old) _bindings[pair.Key] = old;
                    else _bindings.Remove(pair.Key);
                }

                _before.Clear();
            }
        }

        /// <summary>
        /// Why the last top-level fold failed on a local (written after its declaration, declared without an
        /// initializer, ...), or null when it failed for another reason or succeeded.
        /// </summary>
        public string? LastFailure { get; internal set; }

        public bool TryFold(ExpressionSyntax? expression, out double value)
        {
            LastFailure = null;
            return TryFold(expression, 0, out value);
        }

        /// <summary>Integer width: a constant that is a positive whole number that fits an int.</summary>
        public bool TryFoldWidth(ExpressionSyntax? expression, out int width)
        {
            width = 0;
            if (!TryFold(expression, out var v) || v < 1 || v > int.MaxValue || Math.Floor(v) != v) return false;
            width = (int)v;
            return true;
        }

        /// <summary>Boolean literal or constant (a never-written local included).</summary>
        public bool TryFoldBool(ExpressionSyntax? expression, out bool value)
        {
            LastFailure = null;
            return TryFoldBool(expression, 0, out value);
        }

        /// <summary>Folds at a given nesting depth, keeping <see cref="LastFailure"/> (for <see cref="ReadonlyFields"/>).</summary>
        internal bool TryFoldAt(ExpressionSyntax? expression, int depth, out double value) => TryFold(expression, depth, out value);

        internal bool TryFoldBoolAt(ExpressionSyntax? expression, int depth, out bool value) => TryFoldBool(expression, depth, out value);

        private bool TryFoldBool(ExpressionSyntax? expression, int depth, out bool value)
        {
            value = false;
            if (depth > MaxDepth) return false;
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
                    return TryFoldBool(p.Expression, depth + 1, out value);
                case PrefixUnaryExpressionSyntax not when not.IsKind(SyntaxKind.LogicalNotExpression):
                    if (!TryFoldBool(not.Operand, depth + 1, out var inner)) return false;
                    value = !inner;
                    return true;
                case BinaryExpressionSyntax logical when logical.IsKind(SyntaxKind.LogicalAndExpression) || logical.IsKind(SyntaxKind.LogicalOrExpression):
                    if (!TryFoldBool(logical.Left, depth + 1, out var l) || !TryFoldBool(logical.Right, depth + 1, out var r)) return false;
                    value = logical.IsKind(SyntaxKind.LogicalAndExpression) ? l && r : l || r;
                    return true;
                case BinaryExpressionSyntax cmp when IsComparison(cmp):
                    if (!TryFold(cmp.Left, depth + 1, out var a) || !TryFold(cmp.Right, depth + 1, out var bb)) return false;
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

            if (expression is MemberAccessExpressionSyntax member) return _fields.TryFoldBool(member, out value);
            if (!(expression is IdentifierNameSyntax id)) return false;
            var decl = FindConstInitializer(id) ?? LocalInitializer(id);
            if (decl != null) return TryFoldBool(decl, depth + 1, out value);
            return _fields.TryFoldBool(id, out value);
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
                    return TryFoldBool(cond.Condition, depth + 1, out var which) && TryFold(which ? cond.WhenTrue : cond.WhenFalse, depth + 1, out value);
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
                    var init = FindConstInitializer(id) ?? LocalInitializer(id);
                    if (init != null) return TryFold(init, depth + 1, out value);
                    return _fields.TryFold(id, out value);
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
                        if (constant != null) return TryFold(constant, depth + 1, out value);
                        return _fields.TryFold(ma, out value);
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
            foreach (var ancestor in start.Ancestors())
            {
                var statements = ancestor is BlockSyntax block ? block.Statements
                    : ancestor is CompilationUnitSyntax unit ? unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement) // top-level statements
                    : null;
                if (statements == null) continue;
                foreach (var local in statements.OfType<LocalDeclarationStatementSyntax>())
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

        // ---- locals that are never written after their declaration ---------------------------------------------

        /// <summary>Folded declarations: the initializer of a foldable local, or null and the reason it is not.</summary>
        private readonly System.Collections.Generic.Dictionary<SyntaxNode, (ExpressionSyntax? Initializer, string? Reason)> _locals =
            new System.Collections.Generic.Dictionary<SyntaxNode, (ExpressionSyntax?, string?)>();

        /// <summary>
        /// The initializer of the non-const local that <paramref name="id"/> reads, when the local is declared once with
        /// an initializer and never written again in its scope; null otherwise (with <see cref="LastFailure"/> saying
        /// why when the name is a local). With a semantic model the local is the resolved <see cref="ILocalSymbol"/>
        /// and its writes are the references to that symbol; without one (loose files), the declaration is the
        /// same-name local declared before the use in an enclosing block, the only declaration of that name in the
        /// member, and any write to that name in the member makes it unknown.
        /// </summary>
        private ExpressionSyntax? LocalInitializer(IdentifierNameSyntax id)
        {
            var model = _resolver.Model;
            (ExpressionSyntax? Initializer, string? Reason) found;
            if (model != null && id.SyntaxTree == model.SyntaxTree)
            {
                var symbol = model.GetSymbolInfo(id, _resolver.Cancellation).Symbol;
                if (symbol is ILocalSymbol local) found = SemanticLocal(local, model);
                else if (symbol != null) return null; // a parameter, field or property: not known at compile time here
                else found = SyntaxLocal(id);
            }
            else
            {
                found = SyntaxLocal(id);
            }

            if (found.Initializer == null && found.Reason != null) LastFailure ??= found.Reason;
            return found.Initializer;
        }

        private (ExpressionSyntax?, string?) SemanticLocal(ILocalSymbol local, SemanticModel model)
        {
            var name = local.Name;
            if (local.IsConst) return (null, null);
            var declaration = local.DeclaringSyntaxReferences.Length == 1 ? local.DeclaringSyntaxReferences[0].GetSyntax(_resolver.Cancellation) : null;
            if (declaration == null) return (null, $"the local '{name}' has no declaration in source");
            if (_locals.TryGetValue(declaration, out var cached)) return cached;
            var result = CheckDeclaration(declaration, name, out var scope);
            if (result.Item2 == null && scope != null)
            {
                foreach (var n in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (n.Identifier.ValueText != name) continue;
                    var write = WriteOf(n);
                    if (write == null) continue;
                    if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, _resolver.Cancellation).Symbol, local)) continue;
                    result = (null, write);
                    break;
                }
            }

            _locals[declaration] = result;
            return result;
        }

        private (ExpressionSyntax?, string?) SyntaxLocal(IdentifierNameSyntax id)
        {
            var name = id.Identifier.ValueText;
            VariableDeclaratorSyntax? declarator = null;
            foreach (var ancestor in id.Ancestors())
            {
                System.Collections.Generic.IEnumerable<StatementSyntax>? statements = ancestor switch
                {
                    BlockSyntax block => block.Statements,
                    SwitchSectionSyntax section => section.Statements,
                    CompilationUnitSyntax unit => unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement),
                    _ => null,
                };
                if (statements == null) continue;
                declarator = statements.OfType<LocalDeclarationStatementSyntax>().Where(d => !d.IsConst && d.SpanStart < id.SpanStart)
                    .SelectMany(d => d.Declaration.Variables).LastOrDefault(v => v.Identifier.ValueText == name);
                if (declarator != null) break;
                if (ancestor is MemberDeclarationSyntax && !(ancestor is GlobalStatementSyntax)) break;
            }

            if (declarator == null) return (null, null);
            if (_locals.TryGetValue(declarator, out var cached)) return cached;
            var result = CheckDeclaration(declarator, name, out _);
            if (result.Item2 == null)
            {
                // The whole member (or file, for top-level statements): any other declaration of the name, or any write to it.
                var member = (SyntaxNode?)declarator.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>()
                    ?? (SyntaxNode?)declarator.FirstAncestorOrSelf<AccessorDeclarationSyntax>();
                var nodes = member != null
                    ? member.DescendantNodes().ToList()
                    : declarator.SyntaxTree.GetRoot(_resolver.Cancellation) is CompilationUnitSyntax unit
                        ? unit.Members.OfType<GlobalStatementSyntax>().SelectMany(g => g.DescendantNodesAndSelf()).ToList() // top-level statements
                        : declarator.SyntaxTree.GetRoot(_resolver.Cancellation).DescendantNodes().ToList();
                int declarations = nodes.Count(n => DeclaredName(n) == name);
                if (declarations > 1) result = (null, $"the name '{name}' is declared more than once in this member");
                else
                {
                    foreach (var n in nodes.OfType<IdentifierNameSyntax>())
                    {
                        if (n.Identifier.ValueText != name) continue;
                        var write = WriteOf(n);
                        if (write == null) continue;
                        result = (null, write);
                        break;
                    }
                }
            }

            _locals[declarator] = result;
            return result;
        }

        /// <summary>A local declaration statement with an initializer (the only foldable form), with the scope of the local.</summary>
        private static (ExpressionSyntax?, string?) CheckDeclaration(SyntaxNode declaration, string name, out SyntaxNode? scope)
        {
            scope = null;
            if (!(declaration is VariableDeclaratorSyntax v))
                return (null, declaration is ForEachStatementSyntax ? $"'{name}' is a foreach variable" : $"the local '{name}' is not declared with an initializer");
            if (v.Parent?.Parent is ForStatementSyntax) return (null, $"'{name}' is a for-loop variable");
            if (!(v.Parent?.Parent is LocalDeclarationStatementSyntax statement)) return (null, $"the local '{name}' is not declared by a local declaration statement");
            if (v.Initializer == null) return (null, $"the local '{name}' is declared without an initializer (its value is assigned later)");
            if (v.Initializer.Value is RefExpressionSyntax || statement.Declaration.Type is RefTypeSyntax) return (null, $"'{name}' is a ref local");
            scope = statement.Parent is GlobalStatementSyntax global ? global.Parent : statement.Parent;
            return (v.Initializer.Value, null);
        }

        /// <summary>The name a node declares as a local, parameter, loop or pattern variable, or null.</summary>
        private static string? DeclaredName(SyntaxNode node) => node switch
        {
            VariableDeclaratorSyntax v => v.Identifier.ValueText,
            SingleVariableDesignationSyntax d => d.Identifier.ValueText,
            ForEachStatementSyntax f => f.Identifier.ValueText,
            ParameterSyntax p => p.Identifier.ValueText,
            CatchDeclarationSyntax c => c.Identifier.ValueText,
            _ => null,
        };

        /// <summary>
        /// When <paramref name="n"/> is written (assigned, compound-assigned, deconstructed into, ++/--, passed by ref or
        /// out, aliased by ref or &amp;), the reason naming the local and the statement; null for a read.
        /// </summary>
        private static string? WriteOf(IdentifierNameSyntax n) => WriteOf(n, n.Identifier.ValueText, "local");

        /// <summary>As <see cref="WriteOf(IdentifierNameSyntax)"/> for any named storage: <paramref name="noun"/> is "local" or "field".</summary>
        internal static string? WriteOf(SyntaxNode start, string name, string noun)
        {
            SyntaxNode node = start;
            while (node.Parent is ParenthesizedExpressionSyntax) node = node.Parent;
            var parent = node.Parent;
            string At(SyntaxNode s)
            {
                var statement = (SyntaxNode?)s.FirstAncestorOrSelf<StatementSyntax>() ?? s;
                var line = statement.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                return $"'{ModelExtractor.Short(statement)}', line {line}";
            }

            switch (parent)
            {
                case AssignmentExpressionSyntax a when a.Left == node:
                    return $"the {noun} '{name}' is assigned again ({At(a)})";
                case PrefixUnaryExpressionSyntax pre when pre.IsKind(SyntaxKind.PreIncrementExpression) || pre.IsKind(SyntaxKind.PreDecrementExpression):
                    return $"the {noun} '{name}' is incremented or decremented ({At(pre)})";
                case PostfixUnaryExpressionSyntax post when post.IsKind(SyntaxKind.PostIncrementExpression) || post.IsKind(SyntaxKind.PostDecrementExpression):
                    return $"the {noun} '{name}' is incremented or decremented ({At(post)})";
                case PrefixUnaryExpressionSyntax address when address.IsKind(SyntaxKind.AddressOfExpression):
                    return $"the address of the {noun} '{name}' is taken ({At(address)})";
                case RefExpressionSyntax alias:
                    return $"the {noun} '{name}' is aliased by ref ({At(alias)})";
                case ArgumentSyntax arg when arg.RefKindKeyword.IsKind(SyntaxKind.RefKeyword) || arg.RefKindKeyword.IsKind(SyntaxKind.OutKeyword):
                    return $"the {noun} '{name}' is passed by {arg.RefKindKeyword.ValueText} ({At(arg)})";
                case ArgumentSyntax element when element.Parent is TupleExpressionSyntax tuple && IsDeconstructionTarget(tuple):
                    return $"the {noun} '{name}' is assigned by a deconstruction ({At(tuple)})";
                default:
                    return null;
            }
        }

        private static bool IsDeconstructionTarget(TupleExpressionSyntax tuple)
        {
            SyntaxNode node = tuple;
            for (int k = 0; k < MaxDepth; k++)
            {
                if (node.Parent is AssignmentExpressionSyntax a) return a.Left == node;
                if (node.Parent is ForEachVariableStatementSyntax fe) return fe.Variable == node;
                if (node.Parent is ArgumentSyntax && node.Parent.Parent is TupleExpressionSyntax outer) node = outer;
                else return false;
            }

            return false;
        }

        /// <summary>
        /// True when the expression has an integral type (C# divides it with truncation): the compiler's type when it
        /// is known, else int/long literals, casts to int/long, and foldable locals and const declarations whose
        /// declared type (or, for var, initializer) is integral.
        /// </summary>
        private bool IsIntegral(ExpressionSyntax e) => IsIntegral(e, 0);

        private bool IsIntegral(ExpressionSyntax e, int depth)
        {
            if (depth > MaxDepth) return false;
            var model = _resolver.Model;
            if (model != null && e.SyntaxTree == model.SyntaxTree)
            {
                var type = model.GetTypeInfo(e, _resolver.Cancellation).Type;
                if (type != null && type.TypeKind != TypeKind.Error) return IsIntegralType(type.SpecialType);
            }

            switch (e)
            {
                case LiteralExpressionSyntax lit:
                    return lit.Token.Value is int || lit.Token.Value is long;
                case ParenthesizedExpressionSyntax p:
                    return IsIntegral(p.Expression, depth + 1);
                case CastExpressionSyntax cast:
                    var t = cast.Type.ToString();
                    return t == "int" || t == "long" || t == "Int32" || t == "Int64";
                case PrefixUnaryExpressionSyntax u:
                    return IsIntegral(u.Operand, depth + 1);
                case BinaryExpressionSyntax b:
                    return IsIntegral(b.Left, depth + 1) && IsIntegral(b.Right, depth + 1);
                case MemberAccessExpressionSyntax member:
                    return IsIntegralName(_fields.DeclaredType(member)?.ToString());
                case IdentifierNameSyntax id:
                    var declarator = (FindConstInitializer(id) ?? LocalInitializerQuiet(id))?.Parent?.Parent as VariableDeclaratorSyntax;
                    if (declarator == null) return IsIntegralName(_fields.DeclaredType(id)?.ToString());
                    if (!(declarator.Parent is VariableDeclarationSyntax declaration) || declarator.Initializer == null) return false;
                    var declared = declaration.Type.ToString();
                    if (declared == "var") return IsIntegral(declarator.Initializer.Value, depth + 1);
                    return declared == "int" || declared == "long" || declared == "Int32" || declared == "Int64";
                default:
                    return false;
            }
        }

        private static bool IsIntegralName(string? type) => type == "int" || type == "long" || type == "Int32" || type == "Int64";

        private ExpressionSyntax? LocalInitializerQuiet(IdentifierNameSyntax id)
        {
            var saved = LastFailure;
            var init = LocalInitializer(id);
            LastFailure = saved;
            return init;
        }

        private static bool IsIntegralType(SpecialType t) =>
            t == SpecialType.System_Int32 || t == SpecialType.System_Int64 || t == SpecialType.System_Int16 || t == SpecialType.System_Byte
            || t == SpecialType.System_UInt32 || t == SpecialType.System_UInt64 || t == SpecialType.System_UInt16 || t == SpecialType.System_SByte;

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
