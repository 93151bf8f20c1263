using System.Collections.Immutable;
using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Diagnostics.Analyzers.Rules;
using Diagnostics.CodeFixes.Rules;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Laws;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Diagnostics.Cli.Analysis;

/// <summary>One diagnostic of <c>fpt check</c>, with the file as the user named it and 1-based line and column.</summary>
internal sealed record CheckDiagnostic(string File, int Line, int Column, string Id, DiagnosticSeverity Severity, string Message)
{
    public bool IsWarning => Severity >= DiagnosticSeverity.Warning;

    public string SeverityText => Severity switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "info",
        _ => "hidden",
    };

    /// <summary>The usual compiler form: <c>file(line,col): warning FPT001: message</c>.</summary>
    public override string ToString() => $"{File}({Line},{Column}): {SeverityText} {Id}: {Message}";
}

/// <summary>One layer of a model as the check table shows it: Linear widths, activation, init as written, engine variances, chi.</summary>
internal sealed record CheckLayer(int InputSize, int OutputSize, string Activation, string Init, double WeightVariance, double BiasVariance, WeightDistribution Weights, double Chi);

/// <summary>A model found in a file, with its engine architecture and Jacobian law (null with the reason when not analysable).</summary>
internal sealed record CheckModel(string File, int Line, string Name, NetworkArchitecture? Network, SquaredSingularValueLaw? Law, IReadOnlyList<CheckLayer> Layers, string? Failure)
{
    /// <summary>Remarks of the FPT004 summary: Dropout, the optimisers and their learning rates, the SGD stability bound or why it was not checked.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
}

/// <summary>
/// Runs the fpt analyzer on loose C# files (one AdhocWorkspace project without references, so the analyzer uses its
/// syntax fallback keyed on TorchSharp usings and names, as for the IDE without TorchSharp), collects the diagnostics,
/// re-reads the models for the tables and plots, and applies the code fixes (critical gain, then stable learning rate).
/// </summary>
internal sealed class SourceCheck
{
    /// <summary>The command line waits for every spectrum (the analyzer's IDE budget is 3 s); a user's .editorconfig can still set its own.</summary>
    public const string GlobalConfig = "is_global = true\nfpt_time_budget_ms = 600000\n";

    private readonly IReadOnlyList<(string Display, string FullPath)> _files;
    private Project _project;

    public SourceCheck(IReadOnlyList<(string Display, string FullPath)> files)
    {
        _files = files;
        _project = CreateProject(files);
    }

    public Project Project => _project;

    private static Project CreateProject(IReadOnlyList<(string Display, string FullPath)> files)
    {
        var workspace = new AdhocWorkspace();
        var id = ProjectId.CreateNewId();
        var root = Path.GetPathRoot(Path.GetFullPath(".")) ?? "/";
        var info = ProjectInfo.Create(id, VersionStamp.Create(), "check", "check", LanguageNames.CSharp,
            filePath: Path.Combine(root, "fpt-check.csproj"),
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest));
        var solution = workspace.CurrentSolution.AddProject(info);
        var configs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, full) in files)
        {
            var text = SourceText.From(File.ReadAllText(full), System.Text.Encoding.UTF8);
            solution = solution.AddDocument(DocumentId.CreateNewId(id), Path.GetFileName(full), text, filePath: full);
            for (var dir = Path.GetDirectoryName(full); dir != null; dir = Path.GetDirectoryName(dir))
            {
                var config = Path.Combine(dir, ".editorconfig");
                if (File.Exists(config)) configs.Add(config);
            }
        }

        foreach (var config in configs)
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(id), ".editorconfig", SourceText.From(File.ReadAllText(config)), filePath: config);
        solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(id), "fpt-check.globalconfig", SourceText.From(GlobalConfig), filePath: Path.Combine(root, "fpt-check.globalconfig"));
        return solution.GetProject(id)!;
    }

    /// <summary>The analyzer's diagnostics on all files, in file order then position (FPT004 summaries included).</summary>
    public async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(CancellationToken cancellation)
    {
        var compilation = (await _project.GetCompilationAsync(cancellation).ConfigureAwait(false))!;
        var errors = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(_project.AnalyzerOptions, (ex, _, _) => errors.Add(ex), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new JacobianSpectrumAnalyzer()), options)
            .GetAnalyzerDiagnosticsAsync(cancellation).ConfigureAwait(false);
        if (errors.Count > 0) throw new InvalidOperationException("the analyzer threw: " + errors[0].Message, errors[0]);
        var order = _files.Select((f, i) => (f.FullPath, i)).ToDictionary(p => p.FullPath, p => p.i, StringComparer.Ordinal);
        return diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath is string p && order.TryGetValue(p, out var i) ? i : int.MaxValue)
            .ThenBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    public CheckDiagnostic ToCheck(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return new CheckDiagnostic(Display(d.Location.SourceTree?.FilePath), span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, d.Id, d.Severity, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private string Display(string? fullPath) => _files.FirstOrDefault(f => f.FullPath == fullPath).Display ?? fullPath ?? "?";

    /// <summary>The models of every file (same extraction as the analyzer), each mapped to the engine with its Jacobian law.</summary>
    public async Task<List<CheckModel>> ModelsAsync(double inputVariance, CancellationToken cancellation)
    {
        var models = new List<CheckModel>();
        var compilation = (await _project.GetCompilationAsync(cancellation).ConfigureAwait(false))!;
        foreach (var document in _project.Documents.OrderBy(d => Index(d.FilePath)))
        {
            var tree = (await document.GetSyntaxTreeAsync(cancellation).ConfigureAwait(false))!;
            var root = await tree.GetRootAsync(cancellation).ConfigureAwait(false);
            if (!TorchCallResolver.HasTorchSharpUsing(root)) continue;
            var extractor = new ModelExtractor(new TorchCallResolver(compilation.GetSemanticModel(tree), false, cancellation));
            foreach (var node in root.DescendantNodes())
            {
                ExtractedModel? model = node switch
                {
                    InvocationExpressionSyntax inv when TorchCallResolver.InvokedName(inv) == "Sequential" => extractor.FromSequential(inv),
                    ClassDeclarationSyntax cls when cls.BaseList != null => extractor.FromModuleClass(cls),
                    _ => null,
                };
                if (model != null) models.Add(Describe(model, Display(document.FilePath), inputVariance, cancellation));
            }
        }

        return models;
    }

    private int Index(string? path)
    {
        for (int i = 0; i < _files.Count; i++)
        {
            if (_files[i].FullPath == path) return i;
        }

        return int.MaxValue;
    }

    private static CheckModel Describe(ExtractedModel model, string file, double inputVariance, CancellationToken cancellation)
    {
        int line = model.Location.GetLineSpan().StartLinePosition.Line + 1;
        var mapped = ArchitectureMapper.Map(model, inputVariance);
        if (mapped.Network == null) return new CheckModel(file, line, model.Name, null, null, Array.Empty<CheckLayer>(), mapped.Failure);
        var network = mapped.Network;
        var outcome = SpectrumCache.Get(network, TimeSpan.FromMinutes(10), cancellation);
        var law = outcome?.Law;
        var linears = model.LinearLayers().ToList();
        var layers = new List<CheckLayer>();
        for (int l = 0; l < network.Depth; l++)
        {
            var layer = network.Layers[l];
            string init = l < linears.Count ? InitText(linears[l].WeightInit) : "?";
            double chi = law != null ? law.Propagation.Chi[l] : double.NaN;
            layers.Add(new CheckLayer(network.Widths[l], network.Widths[l + 1], Formatting.ArchitectureText.Activation(layer.Activation), init, layer.WeightVariance, layer.BiasVariance, layer.Weights, chi));
        }

        var notes = new List<string>(model.Notes);
        foreach (var optimizer in model.Optimizers)
            notes.Add($"optimizer {optimizer.Kind} with learning rate " + optimizer.RateText(r => Formatting.Num.G(r, 3)));
        var settings = new AnalyzerSettings().WithTimeBudget(TimeSpan.FromMinutes(10));
        LearningRateBound.Check(model, network, settings, notes, cancellation);
        return new CheckModel(file, line, model.Name, network, law, layers, law == null ? "the spectral engine failed: " + (outcome?.Error ?? "timeout") : null) { Notes = notes };
    }

    private static string InitText(InitInfo init) => init.IsDefault ? "default (kaiming_uniform_, a = sqrt 5)" : init.Method;

    /// <summary>
    /// Applies the critical-gain fix (FPT001/FPT002) and then, on the re-analysed code, the learning-rate fix (FPT003) to
    /// every file; returns the paths whose text changed (not yet written).
    /// </summary>
    public async Task<List<(string FullPath, SourceText Text)>> FixAsync(CancellationToken cancellation)
    {
        var original = _project;
        foreach (var (fixer, key) in new (CodeFixProvider, string)[] { (new CriticalGainFixer(), CriticalGainFixer.EquivalenceKey), (new LearningRateFixer(), LearningRateFixer.EquivalenceKey) })
        {
            var diagnostics = (await AnalyzeAsync(cancellation).ConfigureAwait(false)).Where(d => fixer.FixableDiagnosticIds.Contains(d.Id)).ToImmutableArray();
            if (diagnostics.IsEmpty) continue;
            var context = new FixAllContext(_project, fixer, FixAllScope.Solution, key, fixer.FixableDiagnosticIds, new FixedDiagnostics(diagnostics), cancellation);
            var action = await fixer.GetFixAllProvider()!.GetFixAsync(context).ConfigureAwait(false);
            if (action == null) continue;
            foreach (var operation in await action.GetOperationsAsync(cancellation).ConfigureAwait(false))
            {
                if (operation is ApplyChangesOperation apply) _project = apply.ChangedSolution.GetProject(_project.Id)!;
            }
        }

        var changed = new List<(string, SourceText)>();
        foreach (var document in _project.Documents)
        {
            var before = await original.GetDocument(document.Id)!.GetTextAsync(cancellation).ConfigureAwait(false);
            var after = await document.GetTextAsync(cancellation).ConfigureAwait(false);
            if (!before.ContentEquals(after)) changed.Add((document.FilePath!, after));
        }

        return changed;
    }

    /// <summary>FixAll's diagnostic source: the diagnostics already computed.</summary>
    private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
    {
        private readonly ImmutableArray<Diagnostic> _diagnostics;

        public FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
            return _diagnostics.Where(d => d.Location.SourceTree?.FilePath == tree?.FilePath);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);
    }
}
