using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// Values of readonly and static readonly fields for <see cref="ConstantFolder"/>: a field folds to its single
    /// assignment when that is its declaration's initializer, or one top-level statement of a constructor (of the
    /// field's kind, static or instance) and the read comes after it; the assigned expression must fold. A field that is
    /// not readonly, is assigned in several places, inside a loop, condition or lambda, from a constructor parameter, is
    /// written otherwise (++, ref, out, deconstruction), read before its assignment runs, or depends on itself stays
    /// unknown, with the reason naming the field. With a semantic model the field is the resolved
    /// <see cref="IFieldSymbol"/>; without one (loose files) it is the same-name field of an enclosing type (or of the
    /// type named in T.Field) when no local, parameter or primary-constructor parameter of that name is in scope.
    /// </summary>
    internal sealed class ReadonlyFields
    {
        /// <summary>How many fields may be folded inside one another (A = B + 1, B = C * 2, ...) before giving up.</summary>
        private const int MaxNesting = 32;

        private readonly ConstantFolder _folder;
        private readonly TorchCallResolver _resolver;
        private readonly Dictionary<VariableDeclaratorSyntax, Site> _sites = new Dictionary<VariableDeclaratorSyntax, Site>();
        private readonly Dictionary<VariableDeclaratorSyntax, (double? Value, string? Reason)> _numbers = new Dictionary<VariableDeclaratorSyntax, (double?, string?)>();
        private readonly Dictionary<VariableDeclaratorSyntax, (bool? Value, string? Reason)> _bools = new Dictionary<VariableDeclaratorSyntax, (bool?, string?)>();
        private readonly HashSet<VariableDeclaratorSyntax> _inProgress = new HashSet<VariableDeclaratorSyntax>();

        public ReadonlyFields(ConstantFolder folder, TorchCallResolver resolver)
        {
            _folder = folder;
            _resolver = resolver;
        }

        /// <summary>The single assignment of a field: its value expression, or why there is none that folds.</summary>
        private sealed class Site
        {
            public Site(string name, ExpressionSyntax? value, string? reason)
            {
                Name = name;
                Value = value;
                Reason = reason;
            }

            public string Name { get; }

            public ExpressionSyntax? Value { get; }

            public string? Reason { get; }

            /// <summary>The constructor whose top-level statement assigns the field, or null for the declaration's initializer.</summary>
            public ConstructorDeclarationSyntax? Constructor { get; set; }

            /// <summary>The assigning statement (or, in an expression-bodied constructor, the assignment).</summary>
            public SyntaxNode? Assignment { get; set; }

            public bool IsStatic { get; set; }
        }

        /// <summary>
        /// Folds <paramref name="use"/> (x, this.x or T.x) when it reads a readonly field with a foldable single
        /// assignment. False when it does not read a field (nothing noted) or the field does not fold (the reason is
        /// noted in <see cref="ConstantFolder.LastFailure"/>).
        /// </summary>
        public bool TryFold(ExpressionSyntax use, out double value) =>
            TryFoldField(use, _numbers, (ExpressionSyntax e, out double v) => _folder.TryFoldAt(e, 0, out v), double.NaN, out value);

        /// <summary>As <see cref="TryFold"/>, for bool fields (hasBias: UseBias).</summary>
        public bool TryFoldBool(ExpressionSyntax use, out bool value) =>
            TryFoldField(use, _bools, (ExpressionSyntax e, out bool v) => _folder.TryFoldBoolAt(e, 0, out v), false, out value);

        /// <summary>
        /// <see cref="TryFold"/> for a value of type <typeparamref name="T"/>, folded by <paramref name="fold"/> and cached
        /// in <paramref name="cache"/>; <paramref name="value"/> is <paramref name="unknown"/> when it returns false.
        /// </summary>
        private bool TryFoldField<T>(ExpressionSyntax use, Dictionary<VariableDeclaratorSyntax, (T? Value, string? Reason)> cache, Folder<T> fold, T unknown, out T value)
            where T : struct
        {
            value = unknown;
            var declarator = FieldOf(use);
            if (declarator == null) return false;
            var site = SiteOf(declarator);
            var reason = site.Reason ?? UseSiteProblem(site, declarator, use);
            if (reason == null)
            {
                var folded = Fold(declarator, site, cache, fold);
                if (folded.Value != null)
                {
                    value = folded.Value.Value;
                    return true;
                }

                reason = folded.Reason;
            }

            if (reason != null) _folder.LastFailure ??= reason;
            return false;
        }

        /// <summary>The declared type of the field that <paramref name="use"/> reads (int, double, ...), or null.</summary>
        public TypeSyntax? DeclaredType(ExpressionSyntax use) => (FieldOf(use)?.Parent as VariableDeclarationSyntax)?.Type;

        private delegate bool Folder<T>(ExpressionSyntax e, out T value);

        /// <summary>Folds the site's expression once per field (loop bindings do not apply to it), guarding against cycles and deep nesting.</summary>
        private (T? Value, string? Reason) Fold<T>(VariableDeclaratorSyntax declarator, Site site, Dictionary<VariableDeclaratorSyntax, (T?, string?)> cache, Folder<T> fold)
            where T : struct
        {
            if (cache.TryGetValue(declarator, out var cached)) return cached;
            if (_inProgress.Contains(declarator)) return (null, $"the field '{site.Name}' depends on itself");
            if (_inProgress.Count >= MaxNesting) return (null, $"fields are nested deeper than {MaxNesting}");
            var bindings = _folder.Bindings.ToList();
            var savedFailure = _folder.LastFailure;
            _folder.Bindings.Clear();
            _folder.LastFailure = null;
            _inProgress.Add(declarator);
            (T?, string?) result;
            try
            {
                if (fold(site.Value!, out var v)) result = (v, null);
                else
                {
                    var what = site.Constructor == null ? "initialized with" : "assigned";
                    result = (null, $"the field '{site.Name}' is {what} '{ModelExtractor.Short(site.Value!)}', which is not a compile-time constant"
                        + ModelExtractor.Because(_folder.LastFailure));
                }
            }
            finally
            {
                _inProgress.Remove(declarator);
                _folder.LastFailure = savedFailure;
                _folder.Bindings.Clear();
                foreach (var pair in bindings) _folder.Bindings[pair.Key] = pair.Value;
            }

            // Cached whatever the outcome (a field that was too deep here stays unknown): each field is folded once, so
            // fields that read others several times (A = B + B, B = C + C, ...) cost linear, not exponential, time.
            cache[declarator] = result;
            return result;
        }

        // ---- which field a name reads -------------------------------------------------------------------------

        /// <summary>The declarator of the non-const field that <paramref name="use"/> reads, or null when it reads something else.</summary>
        private VariableDeclaratorSyntax? FieldOf(ExpressionSyntax use)
        {
            string name;
            ExpressionSyntax? qualifier = null;
            switch (use)
            {
                case IdentifierNameSyntax id:
                    name = id.Identifier.ValueText;
                    break;
                case MemberAccessExpressionSyntax ma when ma.IsKind(SyntaxKind.SimpleMemberAccessExpression) && (ma.Expression is ThisExpressionSyntax || ma.Expression is IdentifierNameSyntax):
                    name = ma.Name.Identifier.ValueText;
                    qualifier = ma.Expression;
                    break;
                default:
                    return null;
            }

            var model = _resolver.Model;
            if (model != null && use.SyntaxTree == model.SyntaxTree)
            {
                var symbol = model.GetSymbolInfo(use, _resolver.Cancellation).Symbol;
                if (symbol is IFieldSymbol field)
                {
                    if (field.IsConst) return null;
                    var references = field.DeclaringSyntaxReferences;
                    return references.Length == 1 ? references[0].GetSyntax(_resolver.Cancellation) as VariableDeclaratorSyntax : null;
                }

                if (symbol != null) return null; // a local, parameter, property, ...
            }

            // Syntax fallback: the name is not declared in the member (no local, parameter or pattern variable shadows it).
            IEnumerable<TypeDeclarationSyntax> types;
            if (qualifier is IdentifierNameSyntax typeName)
            {
                var root = use.SyntaxTree.GetRoot(_resolver.Cancellation);
                types = use.Ancestors().OfType<TypeDeclarationSyntax>().Concat(root.DescendantNodes().OfType<TypeDeclarationSyntax>())
                    .Where(t => t.Identifier.ValueText == typeName.Identifier.ValueText);
            }
            else
            {
                if (qualifier == null && IsShadowed(use, name)) return null;
                types = use.Ancestors().OfType<TypeDeclarationSyntax>();
            }

            foreach (var type in types)
            {
                foreach (var fieldDeclaration in type.Members.OfType<FieldDeclarationSyntax>())
                {
                    if (fieldDeclaration.Modifiers.Any(SyntaxKind.ConstKeyword)) continue;
                    var v = fieldDeclaration.Declaration.Variables.FirstOrDefault(d => d.Identifier.ValueText == name);
                    if (v == null) continue;
                    if (qualifier is IdentifierNameSyntax && !fieldDeclaration.Modifiers.Any(SyntaxKind.StaticKeyword)) return null; // T.x is a static field
                    return v;
                }

                if (type.Members.OfType<PropertyDeclarationSyntax>().Any(p => p.Identifier.ValueText == name)) return null; // a property of that name
                if (qualifier == null && type.ParameterList != null && type.ParameterList.Parameters.Any(p => p.Identifier.ValueText == name)) return null; // primary constructor parameter
            }

            return null;
        }

        /// <summary>True when the member around <paramref name="use"/> declares <paramref name="name"/> (local, parameter, loop or pattern variable).</summary>
        private static bool IsShadowed(SyntaxNode use, string name)
        {
            var member = (SyntaxNode?)use.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>()
                ?? (SyntaxNode?)use.FirstAncestorOrSelf<AccessorDeclarationSyntax>()
                ?? use.FirstAncestorOrSelf<GlobalStatementSyntax>()?.Parent;
            if (member == null) return false;
            foreach (var node in member.DescendantNodes())
            {
                if (node is TypeDeclarationSyntax) continue;
                string? declared = node switch
                {
                    VariableDeclaratorSyntax v when !(v.Parent?.Parent is FieldDeclarationSyntax) => v.Identifier.ValueText,
                    SingleVariableDesignationSyntax d => d.Identifier.ValueText,
                    ForEachStatementSyntax f => f.Identifier.ValueText,
                    ParameterSyntax p => p.Identifier.ValueText,
                    CatchDeclarationSyntax c => c.Identifier.ValueText,
                    LocalFunctionStatementSyntax lf => lf.Identifier.ValueText,
                    _ => null,
                };
                if (declared == name) return true;
            }

            return false;
        }

        // ---- the single assignment ----------------------------------------------------------------------------

        private Site SiteOf(VariableDeclaratorSyntax declarator)
        {
            if (_sites.TryGetValue(declarator, out var known)) return known;
            var site = FindSite(declarator);
            _sites[declarator] = site;
            return site;
        }

        private Site FindSite(VariableDeclaratorSyntax declarator)
        {
            var name = declarator.Identifier.ValueText;
            if (!(declarator.Parent?.Parent is FieldDeclarationSyntax field) || !(field.Parent is TypeDeclarationSyntax type))
                return new Site(name, null, $"'{name}' is not a field declared in a type");
            bool isStatic = field.Modifiers.Any(SyntaxKind.StaticKeyword);
            if (!field.Modifiers.Any(SyntaxKind.ReadOnlyKeyword))
                return new Site(name, null, $"the field '{name}' is not readonly (it may change after construction)");

            // Every write to the field in its type: assignments are candidate sites, any other write makes it unknown.
            var sites = new List<(ExpressionSyntax Value, SyntaxNode At)>();
            if (declarator.Initializer != null) sites.Add((declarator.Initializer.Value, declarator));
            var parts = Parts(type);
            if (parts == null) return new Site(name, null, $"the field '{name}' belongs to a partial type declared in several files (writes in the other files are not read)");
            foreach (var part in parts)
            {
                foreach (var id in part.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (id.Identifier.ValueText != name || !ReadsField(id, declarator)) continue;
                    SyntaxNode node = id;
                    if (id.Parent is MemberAccessExpressionSyntax ma && ma.Name == id) node = ma;
                    while (node.Parent is ParenthesizedExpressionSyntax) node = node.Parent;
                    if (node.Parent is AssignmentExpressionSyntax a && a.Left == node && a.IsKind(SyntaxKind.SimpleAssignmentExpression))
                    {
                        if (a.Parent is InitializerExpressionSyntax) continue; // new T { x = ... } writes another object's member
                        sites.Add((a.Right, a));
                        continue;
                    }

                    var write = ConstantFolder.WriteOf(node, name, "field");
                    if (write != null) return new Site(name, null, write);
                }
            }

            if (sites.Count == 0) return new Site(name, null, $"the field '{name}' is never assigned");
            if (sites.Count > 1)
                return new Site(name, null, $"the field '{name}' is assigned in {sites.Count} places ({string.Join("; ", sites.Select(s => At(s.At)))})");
            var (value, at) = sites[0];
            if (at == declarator) return new Site(name, value, null) { IsStatic = isStatic };

            var statement = at.Parent as StatementSyntax;
            var ctor = at.FirstAncestorOrSelf<ConstructorDeclarationSyntax>();
            bool topLevel = ctor != null && (statement != null && statement.Parent == ctor.Body || at.Parent is ArrowExpressionClauseSyntax arrow && arrow.Parent == ctor);
            if (ctor == null) return new Site(name, null, $"the field '{name}' is assigned outside the constructors ({At(at)})");
            if (ctor.Modifiers.Any(SyntaxKind.StaticKeyword) != isStatic)
                return new Site(name, null, $"the {(isStatic ? "static" : "instance")} field '{name}' is assigned in {(isStatic ? "an instance" : "the static")} constructor ({At(at)})");
            if (!topLevel) return new Site(name, null, $"the field '{name}' is assigned inside a condition, loop or lambda of the constructor ({At(at)})");
            var parameter = ParameterIn(value, ctor);
            if (parameter != null) return new Site(name, null, $"the field '{name}' is assigned from constructor parameter '{parameter}'");
            return new Site(name, value, null) { Constructor = ctor, Assignment = (SyntaxNode?)statement ?? at, IsStatic = isStatic };
        }

        /// <summary>
        /// The type declaration and its other partial declarations in the same file (by symbol with a semantic model,
        /// by name without one); null when a semantic model shows a part in another file (its writes are not seen).
        /// </summary>
        private List<TypeDeclarationSyntax>? Parts(TypeDeclarationSyntax type)
        {
            var parts = new List<TypeDeclarationSyntax> { type };
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword)) return parts;
            var model = _resolver.Model;
            var symbol = model != null && type.SyntaxTree == model.SyntaxTree ? model.GetDeclaredSymbol(type, _resolver.Cancellation) : null;
            if (symbol != null)
            {
                foreach (var reference in symbol.DeclaringSyntaxReferences)
                {
                    if (reference.SyntaxTree != type.SyntaxTree) return null;
                    if (reference.GetSyntax(_resolver.Cancellation) is TypeDeclarationSyntax other && other != type) parts.Add(other);
                }

                return parts;
            }

            var root = type.SyntaxTree.GetRoot(_resolver.Cancellation);
            parts.AddRange(root.DescendantNodes().OfType<TypeDeclarationSyntax>()
                .Where(t => t != type && t.Identifier.ValueText == type.Identifier.ValueText && t.Modifiers.Any(SyntaxKind.PartialKeyword)));
            return parts;
        }

        /// <summary>Whether this occurrence of the field's name reads or writes that field (the symbol, or the name when not shadowed).</summary>
        private bool ReadsField(IdentifierNameSyntax id, VariableDeclaratorSyntax declarator)
        {
            if (id.Parent is MemberAccessExpressionSyntax ma && ma.Name == id && !(ma.Expression is ThisExpressionSyntax) && !(ma.Expression is IdentifierNameSyntax))
                return false; // other.x: another object's member
            var model = _resolver.Model;
            if (model != null && id.SyntaxTree == model.SyntaxTree)
            {
                var symbol = model.GetSymbolInfo(id, _resolver.Cancellation).Symbol;
                if (symbol != null) return symbol is IFieldSymbol f && f.DeclaringSyntaxReferences.Any(r => r.GetSyntax(_resolver.Cancellation) == declarator);
            }

            if (id.Parent is MemberAccessExpressionSyntax access && access.Name == id)
                return access.Expression is ThisExpressionSyntax
                    || access.Expression is IdentifierNameSyntax owner && owner.Identifier.ValueText == declarator.FirstAncestorOrSelf<TypeDeclarationSyntax>()?.Identifier.ValueText;
            return !IsShadowed(id, id.Identifier.ValueText);
        }

        /// <summary>The name of a constructor parameter that the assigned expression reads, or null.</summary>
        private string? ParameterIn(ExpressionSyntax value, ConstructorDeclarationSyntax ctor)
        {
            var parameters = new HashSet<string>(ctor.ParameterList.Parameters.Select(p => p.Identifier.ValueText), StringComparer.Ordinal);
            var model = _resolver.Model;
            foreach (var id in value.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                if (!parameters.Contains(id.Identifier.ValueText)) continue;
                if (id.Parent is MemberAccessExpressionSyntax ma && ma.Name == id) continue;
                if (model != null && id.SyntaxTree == model.SyntaxTree)
                {
                    var symbol = model.GetSymbolInfo(id, _resolver.Cancellation).Symbol;
                    if (symbol != null && !(symbol is IParameterSymbol)) continue;
                }

                return id.Identifier.ValueText;
            }

            return null;
        }

        /// <summary>Why the value of the single assignment is not the one <paramref name="use"/> sees (it runs later), or null.</summary>
        private static string? UseSiteProblem(Site site, VariableDeclaratorSyntax declarator, SyntaxNode use)
        {
            var useField = use.FirstAncestorOrSelf<FieldDeclarationSyntax>();
            var declaringType = declarator.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            bool inInitializerOfSameType = useField != null && useField.Parent == declaringType && use.FirstAncestorOrSelf<EqualsValueClauseSyntax>() != null;
            if (site.Constructor == null)
            {
                // Static field initializers run in textual order: a later one is still 0 when an earlier one reads it.
                if (site.IsStatic && inInitializerOfSameType && useField!.Modifiers.Any(SyntaxKind.StaticKeyword) && use.SpanStart < declarator.SpanStart)
                    return $"the static field '{site.Name}' is read before its initializer runs (static field initializers run in textual order)";
                return null;
            }

            if (inInitializerOfSameType && useField!.Modifiers.Any(SyntaxKind.StaticKeyword) == site.IsStatic)
                return $"the field '{site.Name}' is read by a field initializer, which runs before the constructor assigns it";
            var useCtor = use.FirstAncestorOrSelf<ConstructorDeclarationSyntax>();
            if (useCtor == null || useCtor.Modifiers.Any(SyntaxKind.StaticKeyword) != site.IsStatic) return null;
            if (useCtor != site.Constructor) return $"the field '{site.Name}' is read in a constructor that does not assign it";
            if (site.Assignment != null && use.SpanStart < site.Assignment.Span.End)
                return $"the field '{site.Name}' is read before the constructor assigns it ({At(site.Assignment)})";
            return null;
        }

        private static string At(SyntaxNode node)
        {
            var statement = (SyntaxNode?)node.FirstAncestorOrSelf<StatementSyntax>() ?? node.FirstAncestorOrSelf<FieldDeclarationSyntax>() ?? node;
            var line = statement.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            return $"'{ModelExtractor.Short(statement)}', line {line}";
        }
    }
}
