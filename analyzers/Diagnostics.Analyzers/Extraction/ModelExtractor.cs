using System;
using System.Collections.Generic;
using System.Linq;
using Diagnostics.Spectra.Architecture;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Extraction
{
    /// <summary>
    /// Reads TorchSharp models out of source: root Sequential calls (with nested Sequentials, ("name", module) tuples
    /// and layers held in locals) and Module&lt;Tensor, Tensor&gt; subclasses (layers assigned to fields, order of
    /// application read from forward). Then links torch.nn.init calls and optimisers to the layers and the model.
    /// </summary>
    internal sealed class ModelExtractor
    {
        private const int MaxNesting = 16;
        private const string ThisModel = "this";

        private static readonly HashSet<string> IgnoredForwardCalls = new HashSet<string>(StringComparer.Ordinal)
        {
            "NewDisposeScope", "Dispose", "WriteLine", "Write", "Assert",
        };

        private readonly TorchCallResolver _resolver;
        private readonly ConstantFolder _folder;

        public ModelExtractor(TorchCallResolver resolver)
        {
            _resolver = resolver;
            _folder = new ConstantFolder(resolver);
        }

        /// <summary>A model for a root Sequential call; null when the call is not Sequential or is part of a larger model.</summary>
        public ExtractedModel? FromSequential(InvocationExpressionSyntax invocation)
        {
            var call = _resolver.Resolve(invocation);
            if (call == null || call.Member.Kind != TorchMemberKind.Sequential) return null;
            if (IsNestedInSequential(invocation)) return null;
            var cls = invocation.FirstAncestorOrSelf<ClassDeclarationSyntax>();
            if (cls != null && IsModuleSubclass(cls)) return null;

            var scope = ScopeOf(invocation);
            string? variable = AssignedName(invocation);
            if (variable != null && IsUsedInsideSequential(variable, scope)) return null;

            var model = new ExtractedModel(variable ?? "Sequential", invocation, invocation.Expression.GetLocation());
            model.Steps.AddRange(ReadModule(invocation, scope, null, 0));
            if (!HasContent(model)) return null;
            AddNotes(model);
            LinkInits(model, scope, variable ?? "");
            if (variable != null) LinkOptimizers(model, scope, variable);
            return model;
        }

        /// <summary>A model for a Module&lt;Tensor, Tensor&gt; subclass with a forward method; null otherwise.</summary>
        public ExtractedModel? FromModuleClass(ClassDeclarationSyntax cls)
        {
            if (!IsModuleSubclass(cls)) return null;
            var forward = cls.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == "forward" && m.ParameterList.Parameters.Count == 1);
            if (forward == null) return null;
            var model = new ExtractedModel(cls.Identifier.ValueText, cls, cls.Identifier.GetLocation());
            var fields = FieldAssignments(cls);
            var walker = new ForwardWalker(this, cls, fields, model.Steps, model.CollectionCounts);
            if (forward.Body != null) walker.Walk(forward.Body);
            else if (forward.ExpressionBody != null) walker.Walk(forward.ExpressionBody.Expression);
            if (!HasContent(model)) return null;
            AddNotes(model);
            LinkInits(model, cls, ThisModel);
            LinkOptimizersOfInstances(model, cls);
            return model;
        }

        public bool IsModuleSubclass(ClassDeclarationSyntax cls)
        {
            if (cls.BaseList == null) return false;
            var model = _resolver.Model;
            if (_resolver.TorchSharpReferenced && model != null && cls.SyntaxTree == model.SyntaxTree)
            {
                var symbol = model.GetDeclaredSymbol(cls, _resolver.Cancellation);
                for (var t = symbol?.BaseType; t != null; t = t.BaseType)
                {
                    var def = t.OriginalDefinition;
                    if (def.MetadataName == "Module`2" && TorchSharpCallResolverHelpers.FullName(def) == TorchSharpApi.ModuleOfTensorTensor
                        && t.TypeArguments.All(a => a.Name == "Tensor"))
                        return true;
                }

                return false;
            }

            return cls.BaseList.Types.Any(b => b.Type.ToString().Replace(" ", "").EndsWith("Module<Tensor,Tensor>", StringComparison.Ordinal));
        }

        // ---- modules -------------------------------------------------------------------------------------------

        internal IEnumerable<ModelStep> ReadModule(ExpressionSyntax expression, SyntaxNode scope, string? name, int depth)
        {
            if (depth > MaxNesting) return new[] { ModelStep.Unknown("modules nested deeper than " + MaxNesting, expression) };
            switch (expression)
            {
                case ParenthesizedExpressionSyntax p:
                    return ReadModule(p.Expression, scope, name, depth + 1);
                case CastExpressionSyntax c:
                    return ReadModule(c.Expression, scope, name, depth + 1);
                case TupleExpressionSyntax t when t.Arguments.Count == 2:
                    return ReadModule(t.Arguments[1].Expression, scope, name, depth + 1);
                case IdentifierNameSyntax id:
                    return ReadNamedModule(id.Identifier.ValueText, expression, scope, depth);
                case MemberAccessExpressionSyntax ma when ma.Expression is ThisExpressionSyntax:
                    return ReadNamedModule(ma.Name.Identifier.ValueText, expression, scope, depth);
                case InvocationExpressionSyntax tuple when tuple.ArgumentList.Arguments.Count == 2 && tuple.Expression is MemberAccessExpressionSyntax tm
                    && tm.Name.Identifier.ValueText == "Create" && (tm.Expression.ToString() == "Tuple" || tm.Expression.ToString() == "System.Tuple"):
                    return ReadModule(tuple.ArgumentList.Arguments[1].Expression, scope, name, depth + 1); // Sequential(params Tuple<string, Module<Tensor, Tensor>>[])
                case ObjectCreationExpressionSyntax tupleObject when tupleObject.ArgumentList?.Arguments.Count == 2
                    && (tupleObject.Type is GenericNameSyntax tg && tg.Identifier.ValueText == "Tuple" || tupleObject.Type is QualifiedNameSyntax tq && tq.Right.Identifier.ValueText == "Tuple"):
                    return ReadModule(tupleObject.ArgumentList.Arguments[1].Expression, scope, name, depth + 1);
                case InvocationExpressionSyntax copy when copy.ArgumentList.Arguments.Count == 0 && copy.Expression is MemberAccessExpressionSyntax cm
                    && CopyMethods.Contains(cm.Name.Identifier.ValueText) && TargetName(cm.Expression) != null:
                    return ReadModule(cm.Expression, scope, name, depth + 1); // Sequential(layers.ToArray())
                case InvocationExpressionSyntax inv:
                    return ReadModuleCall(inv, scope, name, depth);
                default:
                    return new[] { ModelStep.Unknown($"'{Short(expression)}' is not a recognised module", expression) };
            }
        }

        private IEnumerable<ModelStep> ReadNamedModule(string name, ExpressionSyntax at, SyntaxNode scope, int depth)
        {
            var value = FindAssignment(name, scope, at);
            if (value == null) return new[] { ModelStep.Unknown($"'{name}' is not assigned a module that the analyzer can see", at) };
            var elements = ReadCollection(value, name, depth);
            if (elements != null) return elements.SelectMany(e => e).ToList();
            return ReadModule(value, ScopeOf(value), name, depth + 1);
        }

        private IEnumerable<ModelStep> ReadModuleCall(InvocationExpressionSyntax inv, SyntaxNode scope, string? name, int depth)
        {
            var call = _resolver.Resolve(inv);
            if (call == null) return new[] { ModelStep.Unknown($"'{Short(inv)}' is not a recognised module", inv) };
            switch (call.Member.Kind)
            {
                case TorchMemberKind.Linear:
                    return new[] { ModelStep.ForLinear(ReadLinear(call, name)) };
                case TorchMemberKind.Sequential:
                    return call.AllArguments.SelectMany(a => ReadModule(a, scope, null, depth + 1)).ToList();
                case TorchMemberKind.ActivationModule:
                    return new[] { ReadActivationModule(call) };
                case TorchMemberKind.Dropout:
                    return new[] { ModelStep.Neutral("Dropout", inv) };
                case TorchMemberKind.Flatten:
                    return new[] { ModelStep.Neutral("Flatten", inv) };
                default:
                    return new[] { ModelStep.Unknown($"'{Short(inv)}' is not a module", inv) };
            }
        }

        private LinearLayerInfo ReadLinear(TorchCall call, string? name)
        {
            var layer = new LinearLayerInfo(call.Invocation) { Name = name };
            var input = call.Arg("inputSize");
            var output = call.Arg("outputSize");
            if (_folder.TryFoldWidth(input, out var n)) layer.InputSize = n;
            else
            {
                layer.UnknownWidth = input?.ToString() ?? "(missing)";
                layer.UnknownReason = _folder.LastFailure;
            }

            if (_folder.TryFoldWidth(output, out var m)) layer.OutputSize = m;
            else if (layer.UnknownWidth == null)
            {
                layer.UnknownWidth = output?.ToString() ?? "(missing)";
                layer.UnknownReason = _folder.LastFailure;
            }

            var bias = call.Arg("hasBias");
            if (bias != null)
            {
                if (_folder.TryFoldBool(bias, out var hasBias)) layer.HasBias = hasBias;
                else
                {
                    layer.UnknownBias = bias.ToString();
                    layer.UnknownReason ??= _folder.LastFailure;
                }
            }

            return layer;
        }

        private ModelStep ReadActivationModule(TorchCall call)
        {
            var inv = call.Invocation;
            var name = call.Member.Name;
            switch (name)
            {
                case "LeakyReLU":
                    double slope = Activation.DefaultLeakySlope; // LeakyReLU(double negative_slope = 0.01, ...)
                    if (call.Arg("negative_slope") != null && !_folder.TryFold(call.Arg("negative_slope"), out slope))
                        return ModelStep.Unknown($"the LeakyReLU slope '{call.Arg("negative_slope")}' is not a compile-time constant" + Because(_folder.LastFailure), inv);
                    if (!(slope >= 0) || double.IsInfinity(slope)) return ModelStep.Unknown($"LeakyReLU slope {Format.Number(slope)} is not modelled (finite slopes >= 0 are)", inv);
                    return ModelStep.ForActivation(Activation.LeakyRelu(slope), $"LeakyReLU({Format.Number(slope)})", inv);
                case "Hardtanh":
                    double lo = -1, hi = 1;
                    if ((call.Arg("min_val") != null && !_folder.TryFold(call.Arg("min_val"), out lo)) || (call.Arg("max_val") != null && !_folder.TryFold(call.Arg("max_val"), out hi)))
                        return ModelStep.Unknown("the Hardtanh bounds are not compile-time constants", inv);
                    if (lo != -1 || hi != 1) return ModelStep.Unknown($"Hardtanh({Format.Number(lo)}, {Format.Number(hi)}) is modelled only with the bounds -1 and 1", inv);
                    return ModelStep.ForActivation(Activation.HardTanh, "Hardtanh", inv);
                case "ELU":
                    double alpha = 1;
                    if (call.Arg("alpha") != null && (!_folder.TryFold(call.Arg("alpha"), out alpha) || alpha != 1))
                        return ModelStep.Unknown($"ELU is modelled only with alpha 1, got '{call.Arg("alpha")}'", inv);
                    return ModelStep.ForActivation(Activation.Elu, "ELU", inv);
                case "Softplus":
                    double beta = 1;
                    if (call.Arg("beta") != null && (!_folder.TryFold(call.Arg("beta"), out beta) || beta != 1))
                        return ModelStep.Unknown($"Softplus is modelled only with beta 1, got '{call.Arg("beta")}'", inv);
                    return ModelStep.ForActivation(Activation.Softplus, "Softplus", inv);
                default:
                    return ModelStep.ForActivation(Activation.Parse(TorchSharpApi.ActivationModules[name]), name, inv);
            }
        }

        // ---- collections filled by constant loops --------------------------------------------------------------

        private const int MaxUnrolled = 4096;

        /// <summary>Calls that copy a collection without changing its elements (Sequential(layers.ToArray())).</summary>
        private static readonly HashSet<string> CopyMethods = new HashSet<string>(StringComparer.Ordinal) { "ToArray", "ToList", "AsEnumerable" };

        /// <summary>Members of a collection that read it (any other member call, such as Insert or Clear, may change it).</summary>
        private static readonly HashSet<string> ReadingMembers = new HashSet<string>(StringComparer.Ordinal)
        {
            "Count", "Length", "ToArray", "ToList", "AsEnumerable", "GetEnumerator", "forward", "call",
        };

        /// <summary>Calls that take the collection as an argument without changing it.</summary>
        private static readonly HashSet<string> ReadingCalls = new HashSet<string>(StringComparer.Ordinal)
        {
            "Sequential", "ModuleList", "RegisterModule", "register_module",
        };

        /// <summary>
        /// The modules of a collection created by <paramref name="creation"/>: ModuleList or List (initializer, then
        /// Add/append in straight-line code or loops with constant bounds), an array creation (new T[] { ... },
        /// new[] { ... }) or a collection expression ([a, b]); one step list per element; null when the expression does
        /// not create a collection. Any other use of the collection in the code that fills it (Insert, AddRange, an
        /// indexed store, a reassignment, passing it to another method) makes it unknown, with the statement named.
        /// </summary>
        internal List<List<ModelStep>>? ReadCollection(ExpressionSyntax creation, string name, int depth)
        {
            if (!IsCollectionCreation(creation, out var initial, out var unknown)) return null;
            var scope = ScopeOf(creation);
            if (unknown != null) return new List<List<ModelStep>> { new List<ModelStep> { ModelStep.Unknown($"'{name}': {unknown}", creation) } };
            var bodies = new List<IEnumerable<StatementSyntax>>();
            if (creation.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is BaseMethodDeclarationSyntax m)
            {
                if (m.Body != null) bodies.Add(m.Body.Statements);
            }
            else if (creation.FirstAncestorOrSelf<TypeDeclarationSyntax>() is TypeDeclarationSyntax type)
            {
                bodies.AddRange(type.Members.OfType<ConstructorDeclarationSyntax>().Where(c => c.Body != null).Select(c => (IEnumerable<StatementSyntax>)c.Body!.Statements));
            }
            else if (creation.SyntaxTree.GetRoot(_resolver.Cancellation) is CompilationUnitSyntax unit)
            {
                bodies.Add(unit.Members.OfType<GlobalStatementSyntax>().Select(g => g.Statement).ToList()); // top-level statements
            }

            foreach (var statement in bodies.SelectMany(b => b))
            {
                foreach (var id in statement.DescendantNodes().OfType<IdentifierNameSyntax>())
                {
                    if (id.Identifier.ValueText != name) continue;
                    var use = ChangingUse(id, creation);
                    if (use != null)
                        return new List<List<ModelStep>> { new List<ModelStep> { ModelStep.Unknown($"'{name}' is changed by '{Short(use)}' (only initializers and Add/append in straight-line code or constant loops are read)", use) } };
                }
            }

            var elements = new List<List<ModelStep>>();
            foreach (var e in initial) elements.Add(ReadModule(e, scope, null, depth + 1).ToList());
            int budget = MaxUnrolled;
            foreach (var body in bodies) Unroll(body, name, elements, scope, depth, ref budget);
            return elements;
        }

        /// <summary>
        /// The statement when <paramref name="id"/> (a use of the collection) may change it other than by Add/append,
        /// or lets it escape where changes are not seen; null for reads (Count, foreach, indexed reads, forward,
        /// Sequential(...)) and Add/append.
        /// </summary>
        private static SyntaxNode? ChangingUse(IdentifierNameSyntax id, ExpressionSyntax creation)
        {
            SyntaxNode node = id;
            if (node.Parent is MemberAccessExpressionSyntax self && self.Expression is ThisExpressionSyntax && self.Name == node) node = self;
            while (node.Parent is ParenthesizedExpressionSyntax || node.Parent is PostfixUnaryExpressionSyntax bang && bang.IsKind(SyntaxKind.SuppressNullableWarningExpression)) node = node.Parent;
            var statement = (SyntaxNode?)node.FirstAncestorOrSelf<StatementSyntax>() ?? node;
            switch (node.Parent)
            {
                case MemberAccessExpressionSyntax ma when ma.Expression == node:
                    var member = ma.Name.Identifier.ValueText;
                    if (member == "Add" || member == "append") return null; // Unroll reads these (and reports the ones it cannot)
                    return ReadingMembers.Contains(member) ? null : statement;
                case ElementAccessExpressionSyntax ea when ea.Expression == node:
                    SyntaxNode access = ea;
                    while (access.Parent is MemberAccessExpressionSyntax || access.Parent is ParenthesizedExpressionSyntax) access = access.Parent;
                    return access.Parent is AssignmentExpressionSyntax store && store.Left == access || access.Parent is RefExpressionSyntax ? statement : null;
                case AssignmentExpressionSyntax a when a.Left == node:
                    return a.Right == creation ? null : statement;
                case ForEachStatementSyntax fe when fe.Expression == node:
                    return null;
                case ArgumentSyntax arg when arg.RefKindKeyword.IsKind(SyntaxKind.None) && arg.Parent?.Parent is InvocationExpressionSyntax call
                    && TorchCallResolver.InvokedName(call) is string callee && ReadingCalls.Contains(callee):
                    return null;
                default:
                    return statement;
            }
        }

        private static bool IsCollectionCreation(ExpressionSyntax e, out IReadOnlyList<ExpressionSyntax> initial, out string? unknown)
        {
            initial = Array.Empty<ExpressionSyntax>();
            unknown = null;
            string? typeName = null;
            ArgumentListSyntax? args = null;
            InitializerExpressionSyntax? init = null;
            switch (e)
            {
                case ArrayCreationExpressionSyntax array:
                    if (array.Initializer == null || array.Type.RankSpecifiers.Count != 1)
                        unknown = $"the array '{Short(array)}' is created without an initializer (only new T[] {{ ... }}, new[] {{ ... }} and [ ... ] are read)";
                    else initial = array.Initializer.Expressions.ToList();
                    return true;
                case ImplicitArrayCreationExpressionSyntax implicitArray:
                    initial = implicitArray.Initializer.Expressions.ToList();
                    return true;
                case CollectionExpressionSyntax collection:
                    var items = new List<ExpressionSyntax>();
                    foreach (var element in collection.Elements)
                    {
                        if (element is ExpressionElementSyntax item) items.Add(item.Expression);
                        else unknown ??= $"the collection expression element '{Short(element)}' is not read (only plain elements are)";
                    }

                    initial = items;
                    return true;
                case ObjectCreationExpressionSyntax oc:
                    typeName = oc.Type is GenericNameSyntax g ? g.Identifier.ValueText : oc.Type is QualifiedNameSyntax q && q.Right is GenericNameSyntax qg ? qg.Identifier.ValueText : null;
                    args = oc.ArgumentList;
                    init = oc.Initializer;
                    break;
                case ImplicitObjectCreationExpressionSyntax ic:
                    var declared = (ic.Parent?.Parent as VariableDeclaratorSyntax)?.Parent as VariableDeclarationSyntax;
                    var text = declared?.Type.ToString() ?? "";
                    typeName = text.StartsWith("ModuleList", StringComparison.Ordinal) ? "ModuleList" : text.StartsWith("List<", StringComparison.Ordinal) ? "List" : null;
                    args = ic.ArgumentList;
                    init = ic.Initializer;
                    break;
                case InvocationExpressionSyntax inv when TorchCallResolver.InvokedName(inv) == "ModuleList":
                    typeName = "ModuleList";
                    args = inv.ArgumentList;
                    break;
            }

            if (typeName != "ModuleList" && typeName != "List") return false;
            var list = new List<ExpressionSyntax>();
            if (typeName == "ModuleList" && args != null) list.AddRange(args.Arguments.Select(a => a.Expression));
            if (init != null) list.AddRange(init.Expressions);
            initial = list;
            return true;
        }

        private void Unroll(IEnumerable<StatementSyntax> statements, string name, List<List<ModelStep>> elements, SyntaxNode scope, int depth, ref int budget)
        {
            foreach (var statement in statements)
            {
                if (!ContainsAddTo(statement, name)) continue;
                switch (statement)
                {
                    case BlockSyntax block:
                        Unroll(block.Statements, name, elements, scope, depth, ref budget);
                        break;
                    case ExpressionStatementSyntax es when es.Expression is InvocationExpressionSyntax inv && IsAddTo(inv, name):
                        foreach (var a in inv.ArgumentList.Arguments) elements.Add(ReadModule(a.Expression, scope, null, depth + 1).ToList());
                        break;
                    case ForStatementSyntax loop when TryConstantLoop(loop, out var variable, out var from, out var to) && to - from <= budget:
                        budget -= Math.Max(0, to - from);
                        using (var bindings = _folder.Scope())
                        {
                            for (int v = from; v < to; v++)
                            {
                                bindings.Set(variable, v);
                                Unroll(new[] { loop.Statement }, name, elements, scope, depth, ref budget);
                            }
                        }

                        break;
                    case IfStatementSyntax ifs when _folder.TryFoldBool(ifs.Condition, out var taken):
                        if (taken) Unroll(new[] { ifs.Statement }, name, elements, scope, depth, ref budget);
                        else if (ifs.Else != null) Unroll(new[] { ifs.Else.Statement }, name, elements, scope, depth, ref budget);
                        break;
                    default:
                        elements.Add(new List<ModelStep> { ModelStep.Unknown($"'{name}' is filled by '{Short(statement)}' (only constant loops and constant conditions are unrolled)", statement) });
                        break;
                }
            }
        }

        private static bool ContainsAddTo(SyntaxNode node, string name) =>
            node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any(i => IsAddTo(i, name));

        private static bool IsAddTo(InvocationExpressionSyntax inv, string name) =>
            inv.Expression is MemberAccessExpressionSyntax ma && (ma.Name.Identifier.ValueText == "Add" || ma.Name.Identifier.ValueText == "append") && TargetName(ma.Expression) == name;

        /// <summary>for (int i = A; i &lt; B; i++) (or &lt;=, ++i, i += 1) with A and B constant (bindings included).</summary>
        internal bool TryConstantLoop(ForStatementSyntax loop, out string variable, out int from, out int to)
        {
            variable = "";
            from = to = 0;
            if (loop.Declaration == null || loop.Declaration.Variables.Count != 1 || loop.Incrementors.Count != 1) return false;
            var v = loop.Declaration.Variables[0];
            variable = v.Identifier.ValueText;
            if (!_folder.TryFold(v.Initializer?.Value, out var a)) return false;
            if (!(loop.Condition is BinaryExpressionSyntax cond) || !(cond.Left is IdentifierNameSyntax left) || left.Identifier.ValueText != variable) return false;
            if (!_folder.TryFold(cond.Right, out var b)) return false;
            if (cond.IsKind(SyntaxKind.LessThanOrEqualExpression)) b += 1;
            else if (!cond.IsKind(SyntaxKind.LessThanExpression)) return false;
            var inc = loop.Incrementors[0];
            bool step1 = inc is PostfixUnaryExpressionSyntax post && post.IsKind(SyntaxKind.PostIncrementExpression) && post.Operand.ToString() == variable
                || inc is PrefixUnaryExpressionSyntax pre && pre.IsKind(SyntaxKind.PreIncrementExpression) && pre.Operand.ToString() == variable
                || inc is AssignmentExpressionSyntax add && add.IsKind(SyntaxKind.AddAssignmentExpression) && add.Left.ToString() == variable && add.Right.ToString() == "1";
            if (!step1 || Math.Abs(a) > int.MaxValue || Math.Abs(b) > int.MaxValue || Math.Floor(a) != a || Math.Floor(b) != b) return false;
            from = (int)a;
            to = Math.Max(from, (int)Math.Ceiling(b));
            return true;
        }

        // ---- Module subclasses --------------------------------------------------------------------------------

        private static Dictionary<string, ExpressionSyntax> FieldAssignments(ClassDeclarationSyntax cls)
        {
            var fields = new Dictionary<string, ExpressionSyntax>(StringComparer.Ordinal);
            foreach (var field in cls.Members.OfType<FieldDeclarationSyntax>())
            {
                foreach (var v in field.Declaration.Variables)
                {
                    if (v.Initializer != null) fields[v.Identifier.ValueText] = v.Initializer.Value;
                }
            }

            foreach (var property in cls.Members.OfType<PropertyDeclarationSyntax>())
            {
                if (property.Initializer != null) fields[property.Identifier.ValueText] = property.Initializer.Value;
            }

            foreach (var ctor in cls.Members.OfType<ConstructorDeclarationSyntax>())
            {
                foreach (var assignment in ctor.DescendantNodes().OfType<AssignmentExpressionSyntax>())
                {
                    var target = TargetName(assignment.Left);
                    if (target != null && assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)) fields[target] = assignment.Right;
                }
            }

            return fields;
        }

        /// <summary>Walks forward in evaluation order (receiver, arguments, call) and appends the steps it applies.</summary>
        private sealed class ForwardWalker
        {
            private readonly ModelExtractor _owner;
            private readonly ClassDeclarationSyntax _cls;
            private readonly Dictionary<string, ExpressionSyntax> _fields;
            private List<ModelStep> _steps;
            private readonly Dictionary<string, List<List<ModelStep>>?> _collections = new Dictionary<string, List<List<ModelStep>>?>(StringComparer.Ordinal);
            private readonly Dictionary<string, List<ModelStep>> _loopElements = new Dictionary<string, List<ModelStep>>(StringComparer.Ordinal);

            private readonly Dictionary<string, int> _counts;

            public ForwardWalker(ModelExtractor owner, ClassDeclarationSyntax cls, Dictionary<string, ExpressionSyntax> fields, List<ModelStep> steps, Dictionary<string, int> counts)
            {
                _owner = owner;
                _cls = cls;
                _fields = fields;
                _steps = steps;
                _counts = counts;
            }

            public void Walk(SyntaxNode node)
            {
                _owner._resolver.Cancellation.ThrowIfCancellationRequested();
                switch (node)
                {
                    case InvocationExpressionSyntax inv:
                        if (inv.Expression is MemberAccessExpressionSyntax ma) Walk(ma.Expression);
                        foreach (var a in inv.ArgumentList.Arguments) Walk(a.Expression);
                        Emit(inv);
                        return;
                    case AnonymousFunctionExpressionSyntax _:
                    case LocalFunctionStatementSyntax _:
                        return;
                    case ForEachStatementSyntax fe when TargetName(fe.Expression) is string over && Collection(over) is List<List<ModelStep>> items:
                        foreach (var item in items)
                        {
                            _loopElements[fe.Identifier.ValueText] = item;
                            Walk(fe.Statement);
                        }

                        _loopElements.Remove(fe.Identifier.ValueText);
                        return;
                    case ForStatementSyntax loop:
                        WalkFor(loop);
                        return;
                    case IfStatementSyntax ifs:
                        WalkIf(ifs);
                        return;
                    case ConditionalExpressionSyntax c:
                        WalkConditional(c);
                        return;
                    case SwitchStatementSyntax sw:
                        WalkSwitch(sw);
                        return;
                    case SwitchExpressionSyntax se:
                        Walk(se.GoverningExpression);
                        WalkBranches($"{Short(se.GoverningExpression)} switch {{ ... }}", null, se, se.Arms.Select(arm => (SyntaxNode)arm.Expression).ToList(), false);
                        return;
                    case ForEachStatementSyntax _:
                    case ForEachVariableStatementSyntax _:
                    case WhileStatementSyntax _:
                    case DoStatementSyntax _:
                        _steps.Add(UnknownLoop(node));
                        return;
                    case BinaryExpressionSyntax b when b.IsKind(SyntaxKind.AddExpression) || b.IsKind(SyntaxKind.SubtractExpression) || b.IsKind(SyntaxKind.MultiplyExpression) || b.IsKind(SyntaxKind.DivideExpression):
                        Walk(b.Left);
                        Walk(b.Right);
                        if (!_owner._folder.TryFold(b, out _))
                            _steps.Add(ModelStep.Unknown($"'{Short(b)}' in forward (residual connections and rescalings are not modelled)", b));
                        return;
                    default:
                        foreach (var child in node.ChildNodes()) Walk(child);
                        return;
                }
            }

            /// <summary>A constant condition selects its branch; any other walks both branches (<see cref="WalkBranches"/>).</summary>
            private void WalkIf(IfStatementSyntax ifs)
            {
                if (_owner._folder.TryFoldBool(ifs.Condition, out var taken))
                {
                    if (taken) Walk(ifs.Statement);
                    else if (ifs.Else != null) Walk(ifs.Else.Statement);
                    return;
                }

                var failure = _owner._folder.LastFailure;
                Walk(ifs.Condition);
                var branches = new List<SyntaxNode> { ifs.Statement };
                if (ifs.Else != null) branches.Add(ifs.Else.Statement);
                WalkBranches($"if ({Short(ifs.Condition)}) ...", failure, ifs, branches, ifs.Else == null);
            }

            /// <summary>A constant governing expression with constant case labels selects its section; any other walks every section.</summary>
            private void WalkSwitch(SwitchStatementSyntax sw)
            {
                bool hasDefault = sw.Sections.Any(section => section.Labels.Any(l => l is DefaultSwitchLabelSyntax));
                if (_owner._folder.TryFold(sw.Expression, out var value))
                {
                    SwitchSectionSyntax? match = null;
                    bool constant = true;
                    foreach (var section in sw.Sections)
                    {
                        foreach (var label in section.Labels)
                        {
                            if (label is DefaultSwitchLabelSyntax) continue;
                            if (label is CaseSwitchLabelSyntax c && _owner._folder.TryFold(c.Value, out var k))
                            {
                                if (k == value) match ??= section;
                            }
                            else constant = false;
                        }
                    }

                    if (constant)
                    {
                        match ??= sw.Sections.FirstOrDefault(section => section.Labels.Any(l => l is DefaultSwitchLabelSyntax));
                        if (match != null) Walk(match);
                        return;
                    }
                }

                var failure = _owner._folder.LastFailure;
                Walk(sw.Expression);
                WalkBranches($"switch ({Short(sw.Expression)}) ...", failure, sw, sw.Sections.Select(section => (SyntaxNode)section).ToList(), !hasDefault);
            }

            private void WalkConditional(ConditionalExpressionSyntax c)
            {
                if (_owner._folder.TryFoldBool(c.Condition, out var taken))
                {
                    Walk(taken ? c.WhenTrue : c.WhenFalse);
                    return;
                }

                var failure = _owner._folder.LastFailure;
                Walk(c.Condition);
                WalkBranches($"{Short(c.Condition)} ? ... : ...", failure, c, new List<SyntaxNode> { c.WhenTrue, c.WhenFalse }, false);
            }

            /// <summary>
            /// The branches of control flow whose branch is not known at compile time, each walked on its own. Branches
            /// that always throw give no output and are left out; when the others apply the same steps (and leave the
            /// same way), those steps are the model's. Different steps would be a guess at the architecture, so they give
            /// an unknown step naming the statement. A branch with an unknown step keeps its own reason (all steps are kept).
            /// emptyPath: a path runs no branch (if without else, switch without default).
            /// </summary>
            private void WalkBranches(string header, string? failure, SyntaxNode statement, List<SyntaxNode> branches, bool emptyPath)
            {
                var outer = _steps;
                var paths = new List<(List<ModelStep> Steps, bool Leaves)>();
                var all = new List<ModelStep>();
                try
                {
                    foreach (var branch in branches)
                    {
                        _steps = new List<ModelStep>();
                        Walk(branch);
                        all.AddRange(_steps);
                        if (!AlwaysThrows(branch)) paths.Add((_steps, Leaves(branch)));
                    }
                }
                finally
                {
                    _steps = outer;
                }

                if (emptyPath) paths.Add((new List<ModelStep>(), false));
                if (all.Any(s => s.Kind == StepKind.Unknown))
                {
                    _steps.AddRange(all);
                    return;
                }

                if (paths.Count == 0) return;
                if (paths.Skip(1).All(p => p.Leaves == paths[0].Leaves && SameSteps(p.Steps, paths[0].Steps)))
                {
                    _steps.AddRange(paths[0].Steps);
                    return;
                }

                _steps.Add(ModelStep.Unknown($"'{header}' in forward: the branch taken is not known at compile time" + Because(failure), statement));
            }

            private static bool SameSteps(List<ModelStep> a, List<ModelStep> b)
            {
                if (a.Count != b.Count) return false;
                for (int k = 0; k < a.Count; k++)
                {
                    var x = a[k];
                    var y = b[k];
                    if (x.Kind != y.Kind) return false;
                    switch (x.Kind)
                    {
                        case StepKind.Linear:
                            if (x.Linear!.Node != y.Linear!.Node) return false;
                            break;
                        case StepKind.Activation:
                            if (!Equals(x.Activation, y.Activation)) return false;
                            break;
                        default:
                            if (x.Text != y.Text) return false;
                            break;
                    }
                }

                return true;
            }

            /// <summary>A branch that ends in throw (a guard clause): it gives no output.</summary>
            private static bool AlwaysThrows(SyntaxNode branch) => branch switch
            {
                ThrowStatementSyntax _ => true,
                ThrowExpressionSyntax _ => true,
                BlockSyntax block => block.Statements.Count > 0 && AlwaysThrows(block.Statements.Last()),
                SwitchSectionSyntax section => section.Statements.Count > 0 && AlwaysThrows(section.Statements.Last()),
                _ => false,
            };

            /// <summary>
            /// Whether a branch may leave the statement other than by its end: it holds a return, break, continue, goto or
            /// yield (any of them, also one that only leaves a loop inside the branch); a switch section's closing break does not count.
            /// </summary>
            private static bool Leaves(SyntaxNode branch)
            {
                var closing = branch is SwitchSectionSyntax section && section.Statements.LastOrDefault() is BreakStatementSyntax last ? last : null;
                return branch.DescendantNodesAndSelf(n => !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax))
                    .Any(n => n != closing && (n is ReturnStatementSyntax || n is ContinueStatementSyntax || n is GotoStatementSyntax || n is BreakStatementSyntax || n is YieldStatementSyntax));
            }

            /// <summary>The elements of a collection field (ModuleList), read once.</summary>
            private List<List<ModelStep>>? Collection(string field)
            {
                if (_collections.TryGetValue(field, out var known)) return known;
                var elements = _fields.TryGetValue(field, out var value) ? _owner.ReadCollection(value, field, 1) : null;
                _collections[field] = elements;
                if (elements != null)
                {
                    // Elements that are one Linear layer can be addressed as field[k] (inits read back, per-layer fix).
                    _counts[field] = elements.Count;
                    for (int k = 0; k < elements.Count; k++)
                    {
                        if (elements[k].Count == 1 && elements[k][0].Linear is LinearLayerInfo linear)
                        {
                            linear.Collection = field;
                            linear.Index = k;
                        }
                    }
                }

                return elements;
            }

            /// <summary>
            /// A for loop with constant bounds, unrolled with its variable and the counts of the collection fields bound
            /// (<see cref="BindCounts"/>) until it ends; any other for loop is unknown.
            /// </summary>
            private void WalkFor(ForStatementSyntax loop)
            {
                using (var bindings = _owner._folder.Scope())
                {
                    BindCounts(bindings);
                    if (!_owner.TryConstantLoop(loop, out var variable, out var from, out var to) || to - from > MaxUnrolled)
                    {
                        _steps.Add(UnknownLoop(loop));
                        return;
                    }

                    for (int v = from; v < to; v++)
                    {
                        bindings.Set(variable, v);
                        Walk(loop.Statement);
                    }
                }
            }

            private static ModelStep UnknownLoop(SyntaxNode loop) => ModelStep.Unknown("forward contains a loop (the number of layers it applies is not read)", loop);

            /// <summary>Binds X.Count and X.Length of every collection field that is read, in the loop's scope, for bounds like i &lt; layers.Count and i &lt; layers.Count().</summary>
            private void BindCounts(ConstantFolder.BindingScope bindings)
            {
                foreach (var field in _fields.Keys.ToList())
                {
                    var items = Collection(field);
                    if (items == null) continue;
                    bindings.Set(field + ".Count", items.Count);
                    bindings.Set(field + ".Length", items.Count); // arrays
                    bindings.Set(field + ".Count()", items.Count); // System.Linq
                }
            }

            private void Emit(InvocationExpressionSyntax inv)
            {
                var name = TorchCallResolver.InvokedName(inv);
                if (name == null) return;
                if ((name == "forward" || name == "call") && inv.Expression is MemberAccessExpressionSyntax ma)
                {
                    if (ma.Expression is IdentifierNameSyntax loopVariable && _loopElements.TryGetValue(loopVariable.Identifier.ValueText, out var element))
                    {
                        _steps.AddRange(element);
                        return;
                    }

                    if (ma.Expression is ElementAccessExpressionSyntax indexed && TargetName(indexed.Expression) is string listName && Collection(listName) is List<List<ModelStep>> list
                        && indexed.ArgumentList.Arguments.Count == 1 && _owner._folder.TryFold(indexed.ArgumentList.Arguments[0].Expression, out var index)
                        && index >= 0 && index < list.Count && Math.Floor(index) == index)
                    {
                        _steps.AddRange(list[(int)index]);
                        return;
                    }

                    var field = TargetName(ma.Expression);
                    if (field != null && _fields.TryGetValue(field, out var value))
                    {
                        var read = _owner.ReadModule(value, _cls, field, 1).ToList();
                        if (value is InvocationExpressionSyntax container && _owner._resolver.Resolve(container)?.Member.Kind == TorchMemberKind.Sequential)
                        {
                            foreach (var step in read)
                            {
                                if (step.Linear != null) step.Linear.Container ??= field;
                            }
                        }

                        _steps.AddRange(read);
                        return;
                    }

                    _steps.Add(ModelStep.Unknown($"'{Short(ma.Expression)}' is not a module field assigned in the constructor", inv));
                    return;
                }

                var activation = _owner._resolver.FunctionalActivation(inv, out var slopeArgument);
                if (activation != null)
                {
                    if (activation == "leaky_relu")
                    {
                        double slope = Activation.DefaultLeakySlope;
                        if (slopeArgument != null && !_owner._folder.TryFold(slopeArgument, out slope))
                        {
                            _steps.Add(ModelStep.Unknown($"the leaky_relu slope '{slopeArgument}' is not a compile-time constant" + Because(_owner._folder.LastFailure), inv));
                            return;
                        }

                        if (!(slope >= 0) || double.IsInfinity(slope))
                        {
                            _steps.Add(ModelStep.Unknown($"leaky_relu slope {Format.Number(slope)} is not modelled (finite slopes >= 0 are)", inv));
                            return;
                        }

                        _steps.Add(ModelStep.ForActivation(Activation.LeakyRelu(slope), $"leaky_relu({Format.Number(slope)})", inv));
                        return;
                    }

                    _steps.Add(ModelStep.ForActivation(Activation.Parse(activation), activation, inv));
                    return;
                }

                if (name == "dropout")
                {
                    _steps.Add(ModelStep.Neutral("Dropout", inv));
                    return;
                }

                if (TorchSharpApi.ShapeMethods.Contains(name) || IgnoredForwardCalls.Contains(name)) return;
                _steps.Add(ModelStep.Unknown($"'{Short(inv)}' in forward is not a recognised layer or activation", inv));
            }
        }

        // ---- initialisation ------------------------------------------------------------------------------------

        private enum ParameterFilter
        {
            None,
            Weights,
            Biases,
            All,
            Unknown,
        }

        /// <summary>Applies the torch.nn.init calls of the scope to the layers, in source order (later calls win).</summary>
        private void LinkInits(ExtractedModel model, SyntaxNode scope, string modelName)
        {
            var byName = new Dictionary<string, List<LinearLayerInfo>>(StringComparer.Ordinal);
            foreach (var layer in model.LinearLayers())
            {
                if (layer.Name == null) continue;
                if (!byName.TryGetValue(layer.Name, out var list)) byName[layer.Name] = list = new List<LinearLayerInfo>();
                list.Add(layer);
            }

            foreach (var inv in scope.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var name = TorchCallResolver.InvokedName(inv);
                if (name == null || !TorchSharpApi.TryGet(name, out var member) || member.Kind != TorchMemberKind.Init) continue;
                var call = _resolver.Resolve(inv);
                if (call == null) continue;
                var target = Unwrap(call.Arg("tensor"));
                if (target == null) continue;
                if (target is MemberAccessExpressionSyntax element && (element.Name.Identifier.ValueText == "weight" || element.Name.Identifier.ValueText == "bias")
                    && LinkElementInit(model, inv, call, element))
                    continue;

                var init = ReadInit(call, target as IdentifierNameSyntax);

                if (target is MemberAccessExpressionSyntax ma && (ma.Name.Identifier.ValueText == "weight" || ma.Name.Identifier.ValueText == "bias"))
                {
                    var owner = TargetName(ma.Expression);
                    if (owner != null && byName.TryGetValue(owner, out var layers))
                    {
                        foreach (var layer in layers)
                        {
                            if (ma.Name.Identifier.ValueText == "weight") layer.WeightInit = init;
                            else layer.BiasInit = init;
                        }
                    }

                    continue;
                }

                if (target is IdentifierNameSyntax p)
                {
                    var filter = LoopFilter(inv, p.Identifier.ValueText, modelName, out var condition, out var owner, out var indices);
                    if (filter == ParameterFilter.None) continue;
                    if (indices != null)
                    {
                        // switch (counter++) { case k: init_(p); } over the weights of owner.named_parameters(): the k-th weight.
                        var layers = owner == modelName ? model.LinearLayers().ToList() : model.LinearLayers().Where(l => l.Container == owner).ToList();
                        if (layers.Count == 0) continue; // the parameters of another model
                        if (filter != ParameterFilter.Weights || indices.Count == 0 || indices.Any(k => k < 0 || k >= layers.Count))
                        {
                            foreach (var layer in layers)
                                layer.WeightInit = new InitInfo(init.Method, inv)
                                {
                                    Unknown = $"the per-layer switch over the parameters of '{owner}' is not understood ("
                                        + (condition.Length > 0 ? condition : $"case {string.Join(", ", indices)} of {layers.Count} weights") + ")",
                                };
                            continue;
                        }

                        foreach (var k in indices) layers[k].WeightInit = init;
                        continue;
                    }

                    foreach (var layer in model.LinearLayers())
                    {
                        if (filter == ParameterFilter.Unknown)
                        {
                            layer.WeightInit = new InitInfo(init.Method, inv) { Unknown = $"the condition '{condition}' of the parameter loop is not understood" };
                            continue;
                        }

                        if (filter == ParameterFilter.All || filter == ParameterFilter.Weights) layer.WeightInit = init;
                        if (filter == ParameterFilter.All || filter == ParameterFilter.Biases) layer.BiasInit = init;
                    }
                }
            }
        }

        /// <summary>
        /// An init of an element of a collection field: layers[k].weight or ((Linear)layers[k]).weight (k constant, or
        /// folded per iteration of the constant for loops around the call) or l.weight with l the variable of a foreach
        /// over the collection (foreach (Linear l in layers) included); if
        /// conditions between the loops and the call are folded per iteration. False when the target is not a
        /// collection element; a loop or condition that cannot be folded makes the init of the collection's layers unknown.
        /// </summary>
        private bool LinkElementInit(ExtractedModel model, InvocationExpressionSyntax inv, TorchCall call, MemberAccessExpressionSyntax target)
        {
            if (model.CollectionCounts.Count == 0) return false;
            var owner = Unwrap(target.Expression);
            while (owner is CastExpressionSyntax cast) owner = Unwrap(cast.Expression); // ((Linear)layers[k]).weight of a ModuleList<Module<Tensor, Tensor>>
            string? collection = null;
            if (owner is ElementAccessExpressionSyntax indexed && indexed.ArgumentList.Arguments.Count == 1 && TargetName(indexed.Expression) is string listName
                && model.CollectionCounts.ContainsKey(listName))
                collection = listName;
            else if (owner is IdentifierNameSyntax variable)
            {
                var loop = inv.Ancestors().OfType<ForEachStatementSyntax>().FirstOrDefault(f => f.Identifier.ValueText == variable.Identifier.ValueText);
                if (loop != null && TargetName(loop.Expression) is string over && model.CollectionCounts.ContainsKey(over)) collection = over;
            }

            if (collection == null) return false;
            bool weight = target.Name.Identifier.ValueText == "weight";
            var layers = model.LinearLayers().Where(l => l.Collection == collection && l.Index != null).ToList();
            var member = (SyntaxNode?)inv.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? inv.SyntaxTree.GetRoot(_resolver.Cancellation);
            var path = inv.Ancestors().TakeWhile(a => a != member).Reverse().ToList(); // outermost first
            var items = new Dictionary<string, int>(StringComparer.Ordinal);
            var found = new Dictionary<int, InitInfo>();
            string? unknown = null;
            int budget = MaxUnrolled;
            using (var counts = _folder.Scope())
            {
                foreach (var count in model.CollectionCounts)
                {
                    counts.Set(count.Key + ".Count", count.Value);
                    counts.Set(count.Key + ".Length", count.Value);
                }

                Visit(0);
            }

            if (unknown != null)
            {
                foreach (var layer in layers)
                {
                    var failed = new InitInfo(call.Member.Name, inv) { Unknown = unknown };
                    if (weight) layer.WeightInit = failed;
                    else layer.BiasInit = failed;
                }

                return true;
            }

            foreach (var pair in found)
            {
                var layer = layers.FirstOrDefault(l => l.Index == pair.Key);
                if (layer == null) continue; // an element forward does not apply, or that is not a single Linear
                if (weight) layer.WeightInit = pair.Value;
                else layer.BiasInit = pair.Value;
            }

            return true;

            void Visit(int depth)
            {
                if (unknown != null) return;
                if (--budget < 0)
                {
                    unknown = $"the loops around '{Short(inv)}' run more than {MaxUnrolled} times";
                    return;
                }

                if (depth == path.Count)
                {
                    int k;
                    if (owner is ElementAccessExpressionSyntax ea)
                    {
                        if (!_folder.TryFold(ea.ArgumentList.Arguments[0].Expression, out var index) || index < 0 || index >= int.MaxValue || Math.Floor(index) != index)
                        {
                            unknown = $"the index of '{Short(ea)}' is not a compile-time constant";
                            return;
                        }

                        k = (int)index;
                    }
                    else if (!items.TryGetValue(((IdentifierNameSyntax)owner!).Identifier.ValueText, out k))
                    {
                        return;
                    }

                    found[k] = ReadInit(call, null);
                    return;
                }

                var node = path[depth];
                var child = depth + 1 < path.Count ? path[depth + 1] : inv;
                switch (node)
                {
                    case ForStatementSyntax loop when loop.Statement == child:
                        if (!TryConstantLoop(loop, out var name, out var from, out var to))
                        {
                            unknown = $"the loop '{Short(loop)}' around '{Short(inv)}' does not have constant bounds";
                            return;
                        }

                        using (var bindings = _folder.Scope())
                        {
                            for (int v = from; v < to && unknown == null; v++)
                            {
                                bindings.Set(name, v);
                                Visit(depth + 1);
                            }
                        }

                        return;
                    case ForEachStatementSyntax each when each.Statement == child:
                        if (!(TargetName(each.Expression) is string over) || !model.CollectionCounts.TryGetValue(over, out var n))
                        {
                            unknown = $"the loop '{Short(each)}' around '{Short(inv)}' is not read";
                            return;
                        }

                        if (over != collection) return; // another collection's elements: not this one's init
                        for (int k = 0; k < n && unknown == null; k++)
                        {
                            items[each.Identifier.ValueText] = k;
                            Visit(depth + 1);
                        }

                        items.Remove(each.Identifier.ValueText);
                        return;
                    case IfStatementSyntax ifs:
                        if (!_folder.TryFoldBool(ifs.Condition, out var taken))
                        {
                            unknown = $"the condition '{Short(ifs.Condition)}' around '{Short(inv)}' is not a compile-time constant";
                            return;
                        }

                        if (taken == (ifs.Statement == child)) Visit(depth + 1);
                        return;
                    case ElseClauseSyntax _:
                        Visit(depth + 1);
                        return;
                    case ForStatementSyntax _:
                    case ForEachStatementSyntax _:
                    case ForEachVariableStatementSyntax _:
                    case WhileStatementSyntax _:
                    case DoStatementSyntax _:
                    case AnonymousFunctionExpressionSyntax _:
                    case LocalFunctionStatementSyntax _:
                        unknown = $"'{Short(inv)}' is inside a loop or function that is not read";
                        return;
                    default:
                        Visit(depth + 1);
                        return;
                }
            }
        }

        private InitInfo ReadInit(TorchCall call, IdentifierNameSyntax? loopParameter)
        {
            var fanInKeys = loopParameter == null
                ? Array.Empty<string>()
                : new[] { loopParameter.Identifier.ValueText + ".shape[1]", loopParameter.Identifier.ValueText + ".size(1)" };
            var init = new InitInfo(call.Member.Name, call.Invocation);
            foreach (var parameter in call.Member.Parameters)
            {
                if (parameter == "tensor" || parameter == "generator") continue;
                var arg = call.Arg(parameter);
                if (arg == null) continue;
                if (parameter == "mode" || parameter == "nonlinearity")
                {
                    var enumName = ConstantFolder.EnumMemberName(arg);
                    if (enumName != null) init.Names[parameter] = enumName;
                    else init.Unknown ??= $"{parameter}: '{arg}' is not a constant";
                    continue;
                }

                if (parameter == "val" && arg is LiteralExpressionSyntax lit && lit.IsKind(SyntaxKind.NumericLiteralExpression) == false)
                {
                    init.Unknown ??= $"val: '{arg}' is not a number";
                    continue;
                }

                if (_folder.TryFold(arg, out var v))
                {
                    init.Numbers[parameter] = v;
                    continue;
                }

                var key = fanInKeys.FirstOrDefault(k => arg.DescendantNodesAndSelf().OfType<ExpressionSyntax>().Any(e => ConstantFolder.BindingKey(e) == k));
                if (key != null)
                {
                    var folder = _folder;
                    var expression = arg;
                    init.FanInDependent[parameter] = fanIn =>
                    {
                        using (var bindings = folder.Scope())
                        {
                            bindings.Set(key, fanIn);
                            return folder.TryFold(expression, out var perLayer) ? perLayer : (double?)null;
                        }
                    };
                    continue;
                }

                init.Unknown ??= $"{parameter}: '{arg}' is not a compile-time constant" + Because(_folder.LastFailure);
            }

            return init;
        }

        /// <summary>
        /// For init_(p) inside foreach over M.parameters() / M.named_parameters(): which parameters of model M it reaches,
        /// from the if conditions between the loop and the call ("weight"/"bias" in the name, p.dim() &gt; 1).
        /// </summary>
        private ParameterFilter LoopFilter(InvocationExpressionSyntax inv, string variable, string modelName, out string condition, out string owner, out List<int>? indices)
        {
            condition = "";
            owner = "";
            indices = null;
            string? counter = null;
            var filter = ParameterFilter.All;
            SyntaxNode child = inv;
            foreach (var ancestor in inv.Ancestors())
            {
                if (ancestor is SwitchSectionSyntax section && indices == null && counter == null)
                {
                    // The per-layer form the critical-gain fix writes: switch (layerIndex++) { case 0: case 1: init_(p); break; ... }
                    indices = new List<int>();
                    foreach (var label in section.Labels)
                    {
                        if (label is CaseSwitchLabelSyntax c && _folder.TryFold(c.Value, out var k) && k >= 0 && k < int.MaxValue && Math.Floor(k) == k) indices.Add((int)k);
                        else
                        {
                            condition = label.ToString();
                            filter = ParameterFilter.Unknown;
                        }
                    }
                }

                if (ancestor is SwitchStatementSyntax sw && indices != null && counter == null)
                {
                    if (sw.Expression is PostfixUnaryExpressionSyntax inc && inc.IsKind(SyntaxKind.PostIncrementExpression) && inc.Operand is IdentifierNameSyntax cid
                        && (sw.Parent is IfStatementSyntax || sw.Parent is BlockSyntax only && only.Statements.Count == 1 && only.Parent is IfStatementSyntax))
                    {
                        counter = cid.Identifier.ValueText;
                    }
                    else
                    {
                        condition = "switch (" + sw.Expression + ")";
                        filter = ParameterFilter.Unknown;
                    }
                }

                if (ancestor is IfStatementSyntax ifs)
                {
                    bool inElse = ifs.Else != null && ifs.Else.Span.Contains(child.Span) && !ifs.Statement.Span.Contains(child.Span);
                    var c = Classify(ifs.Condition);
                    if (c == ParameterFilter.Unknown)
                    {
                        condition = ifs.Condition.ToString();
                        filter = ParameterFilter.Unknown;
                    }
                    else if (filter != ParameterFilter.Unknown)
                    {
                        if (inElse) c = c == ParameterFilter.Weights ? ParameterFilter.Biases : ParameterFilter.Weights;
                        filter = filter == ParameterFilter.All ? c : filter == c ? c : ParameterFilter.None;
                    }
                }

                ExpressionSyntax? source = null;
                bool declares = false;
                if (ancestor is ForEachStatementSyntax fe)
                {
                    source = fe.Expression;
                    declares = fe.Identifier.ValueText == variable;
                }
                else if (ancestor is ForEachVariableStatementSyntax fv)
                {
                    source = fv.Expression;
                    declares = fv.Variable.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == variable);
                }

                if (source != null && declares)
                {
                    if (!(source is InvocationExpressionSyntax si)) return ParameterFilter.None;
                    var n = TorchCallResolver.InvokedName(si);
                    if (n != "parameters" && n != "named_parameters") return ParameterFilter.None;
                    owner = si.Expression is MemberAccessExpressionSyntax sm ? TargetName(sm.Expression) ?? "?" : ThisModel;
                    if (counter != null)
                    {
                        // The counter counts the loop's weights only when it starts at 0 right before the loop.
                        var before = ancestor.Parent is BlockSyntax outer ? outer.Statements.TakeWhile(st => st != ancestor).LastOrDefault() as LocalDeclarationStatementSyntax : null;
                        var declared = before?.Declaration.Variables.SingleOrDefault();
                        if (declared == null || declared.Identifier.ValueText != counter || !(declared.Initializer?.Value is LiteralExpressionSyntax start) || !(start.Token.Value is int s0) || s0 != 0)
                        {
                            condition = $"the counter '{counter}' is not declared as 0 right before the loop";
                            return ParameterFilter.Unknown;
                        }

                        return filter; // the owner may be the model or one of its container fields; the caller decides
                    }

                    indices = null;
                    if (owner != modelName && !(modelName == ThisModel && owner == ThisModel)) return ParameterFilter.None;
                    return filter;
                }

                child = ancestor;
            }

            return ParameterFilter.None;
        }

        private static ParameterFilter Classify(ExpressionSyntax condition)
        {
            if (condition is PrefixUnaryExpressionSyntax not && not.IsKind(SyntaxKind.LogicalNotExpression))
            {
                var inner = Classify(not.Operand);
                return inner == ParameterFilter.Weights ? ParameterFilter.Biases : inner == ParameterFilter.Biases ? ParameterFilter.Weights : inner;
            }

            if (condition is ParenthesizedExpressionSyntax p) return Classify(p.Expression);
            var literals = condition.DescendantNodesAndSelf().OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.StringLiteralExpression)).Select(l => l.Token.ValueText).ToList();
            if (literals.Count == 1 && (condition is InvocationExpressionSyntax || condition is BinaryExpressionSyntax))
            {
                if (literals[0].Contains("weight")) return ParameterFilter.Weights;
                if (literals[0].Contains("bias")) return ParameterFilter.Biases;
            }

            if (condition is BinaryExpressionSyntax b && b.Right is LiteralExpressionSyntax rl && rl.Token.Value is int k)
            {
                var left = b.Left.ToString();
                if (left.Contains("dim()") || left.Contains("Dimensions") || left.Contains("ndim") || left.Contains("shape.Length"))
                {
                    switch (b.Kind())
                    {
                        case SyntaxKind.GreaterThanExpression: return k >= 1 ? ParameterFilter.Weights : ParameterFilter.Unknown;
                        case SyntaxKind.GreaterThanOrEqualExpression: return k >= 2 ? ParameterFilter.Weights : ParameterFilter.Unknown;
                        case SyntaxKind.EqualsExpression: return k == 2 ? ParameterFilter.Weights : k == 1 ? ParameterFilter.Biases : ParameterFilter.Unknown;
                        case SyntaxKind.LessThanExpression: return k == 2 ? ParameterFilter.Biases : ParameterFilter.Unknown;
                        case SyntaxKind.LessThanOrEqualExpression: return k == 1 ? ParameterFilter.Biases : ParameterFilter.Unknown;
                    }
                }
            }

            return ParameterFilter.Unknown;
        }

        // ---- optimisers ---------------------------------------------------------------------------------------

        private void LinkOptimizers(ExtractedModel model, SyntaxNode scope, string variable)
        {
            foreach (var inv in scope.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                var info = ReadOptimizer(inv);
                if (info != null && info.ModelName == variable) model.Optimizers.Add(info);
            }
        }

        private void LinkOptimizersOfInstances(ExtractedModel model, ClassDeclarationSyntax cls)
        {
            var root = cls.SyntaxTree.GetRoot(_resolver.Cancellation);
            foreach (var creation in root.DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
            {
                if (!(creation.Type is IdentifierNameSyntax t) || t.Identifier.ValueText != cls.Identifier.ValueText) continue;
                var variable = AssignedName(creation);
                if (variable != null) LinkOptimizers(model, ScopeOf(creation), variable);
            }
        }

        /// <summary>torch.optim.SGD/Adam/AdamW/RMSProp with its learning rate and the model whose parameters it takes.</summary>
        internal OptimizerInfo? ReadOptimizer(InvocationExpressionSyntax inv)
        {
            var name = TorchCallResolver.InvokedName(inv);
            if (name == null || !TorchSharpApi.TryGet(name, out var member) || member.Kind != TorchMemberKind.Optimizer) return null;
            var call = _resolver.Resolve(inv);
            if (call == null) return null;
            var info = new OptimizerInfo(name, inv);
            var parameters = call.Arg("parameters");
            if (parameters is InvocationExpressionSyntax pi && (TorchCallResolver.InvokedName(pi) == "parameters" || TorchCallResolver.InvokedName(pi) == "named_parameters"))
                info.ModelName = pi.Expression is MemberAccessExpressionSyntax pm ? TargetName(pm.Expression) : ThisModel;
            var rate = call.Arg(name == "SGD" ? "learningRate" : "lr");
            if (rate == null) info.LearningRate = TorchSharpApi.DefaultLearningRate(name);
            else if (_folder.TryFold(rate, out var lr)) info.LearningRate = lr;
            else
            {
                info.UnknownLearningRate = rate.ToString();
                info.UnknownReason = _folder.LastFailure;
            }

            info.LearningRateNode = rate;
            if (name == "SGD")
            {
                var momentum = call.Arg("momentum");
                if (momentum == null) info.Momentum = 0;
                else if (_folder.TryFold(momentum, out var mu)) info.Momentum = mu;
            }

            return info;
        }

        // ---- helpers ------------------------------------------------------------------------------------------

        /// <summary>A model worth a diagnostic: at least one Linear layer or one step the analyzer could not read.</summary>
        private static bool HasContent(ExtractedModel model) => model.Steps.Any(s => s.Kind == StepKind.Linear || s.Kind == StepKind.Unknown);

        private static void AddNotes(ExtractedModel model)
        {
            if (model.Steps.Any(s => s.Kind == StepKind.Neutral && s.Text == "Dropout"))
                model.Notes.Add("Dropout is the identity at evaluation and does not change the Jacobian spectrum at initialisation");
        }

        /// <summary>The member body (method, constructor, accessor), else the type, else the file (top-level statements).</summary>
        internal static SyntaxNode ScopeOf(SyntaxNode node) =>
            (SyntaxNode?)node.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>()
            ?? (SyntaxNode?)node.FirstAncestorOrSelf<AccessorDeclarationSyntax>()
            ?? (SyntaxNode?)node.FirstAncestorOrSelf<TypeDeclarationSyntax>()
            ?? node.SyntaxTree.GetRoot();

        private static ExpressionSyntax? FindAssignment(string name, SyntaxNode scope, SyntaxNode at)
        {
            foreach (var node in scope.DescendantNodes())
            {
                if (node is VariableDeclaratorSyntax v && v.Identifier.ValueText == name && v.Initializer != null) return v.Initializer.Value;
                if (node is AssignmentExpressionSyntax a && a.IsKind(SyntaxKind.SimpleAssignmentExpression) && TargetName(a.Left) == name && !a.Right.Span.Contains(at.Span)) return a.Right;
            }

            var type = at.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            if (type != null && type != scope)
            {
                foreach (var ctor in type.Members.OfType<ConstructorDeclarationSyntax>())
                {
                    var found = FindAssignment(name, ctor, at);
                    if (found != null) return found;
                }

                foreach (var field in type.Members.OfType<FieldDeclarationSyntax>())
                {
                    var v = field.Declaration.Variables.FirstOrDefault(d => d.Identifier.ValueText == name);
                    if (v?.Initializer != null) return v.Initializer.Value;
                }
            }

            return null;
        }

        /// <summary>Strips parentheses and the null-forgiving operator (fc1.weight!).</summary>
        private static ExpressionSyntax? Unwrap(ExpressionSyntax? e)
        {
            while (true)
            {
                if (e is ParenthesizedExpressionSyntax p) e = p.Expression;
                else if (e is PostfixUnaryExpressionSyntax pu && pu.IsKind(SyntaxKind.SuppressNullableWarningExpression)) e = pu.Operand;
                else return e;
            }
        }

        private static string? TargetName(ExpressionSyntax e) => Unwrap(e) switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            MemberAccessExpressionSyntax ma when ma.Expression is ThisExpressionSyntax => ma.Name.Identifier.ValueText,
            _ => null,
        };

        private static string? AssignedName(ExpressionSyntax expression)
        {
            SyntaxNode node = expression;
            while (node.Parent is ParenthesizedExpressionSyntax || node.Parent is CastExpressionSyntax) node = node.Parent;
            if (node.Parent is EqualsValueClauseSyntax eq && eq.Parent is VariableDeclaratorSyntax v) return v.Identifier.ValueText;
            if (node.Parent is AssignmentExpressionSyntax a && a.Right == node) return TargetName(a.Left);
            return null;
        }

        private bool IsNestedInSequential(InvocationExpressionSyntax invocation)
        {
            foreach (var ancestor in invocation.Ancestors())
            {
                if (ancestor is StatementSyntax || ancestor is MemberDeclarationSyntax) return false;
                if (ancestor is InvocationExpressionSyntax outer && outer.ArgumentList.Span.Contains(invocation.Span))
                {
                    var call = _resolver.Resolve(outer);
                    if (call != null && call.Member.Kind == TorchMemberKind.Sequential) return true;
                }
            }

            return false;
        }

        private bool IsUsedInsideSequential(string variable, SyntaxNode scope)
        {
            foreach (var id in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (id.Identifier.ValueText != variable) continue;
                SyntaxNode node = id;
                while (node.Parent is TupleExpressionSyntax || node.Parent is ArgumentSyntax || node.Parent is ParenthesizedExpressionSyntax || node.Parent is CastExpressionSyntax) node = node.Parent;
                if (node.Parent is ArgumentListSyntax list && list.Parent is InvocationExpressionSyntax outer)
                {
                    var call = _resolver.Resolve(outer);
                    if (call != null && call.Member.Kind == TorchMemberKind.Sequential) return true;
                }
            }

            return false;
        }

        /// <summary>": reason" when the constant folder said why a local could not be folded, else empty.</summary>
        internal static string Because(string? reason) => reason == null ? "" : ": " + reason;

        internal static string Short(SyntaxNode node)
        {
            var text = node.ToString().Replace("\r", " ").Replace("\n", " ");
            while (text.Contains("  ")) text = text.Replace("  ", " ");
            return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
        }
    }

    internal static class TorchSharpCallResolverHelpers
    {
        /// <summary>Metadata-style full name with + for nested types (TorchSharp.torch+nn+Module`2).</summary>
        public static string FullName(INamedTypeSymbol type)
        {
            var name = type.MetadataName;
            for (var outer = type.ContainingType; outer != null; outer = outer.ContainingType) name = outer.MetadataName + "+" + name;
            var ns = type.ContainingNamespace?.ToDisplayString();
            return string.IsNullOrEmpty(ns) || type.ContainingNamespace!.IsGlobalNamespace ? name : ns + "." + name;
        }
    }
}
