using System.Collections.Immutable;
using Diagnostics.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>An expected diagnostic: rule ID, the markup key of its location (null: the [|...|] span) and, optionally, the message arguments.</summary>
public sealed record Expected(string Id, string? Location = null, object[]? Arguments = null, DiagnosticSeverity? Severity = null);

/// <summary>The result of running the analyzer on one source in an AdhocWorkspace project.</summary>
public sealed record AnalysisRun(string Source, IReadOnlyList<MarkedSpan> Spans, ImmutableArray<Diagnostic> Diagnostics, ImmutableArray<Diagnostic> CompilerErrors, Compilation Compilation, Project Project);

/// <summary>
/// In-house replacement for Microsoft.CodeAnalysis.Testing: builds an AdhocWorkspace project (source at /proj/Test0.cs,
/// optional /proj/.editorconfig, framework references and, when asked, the TorchSharp declaration stub), runs the
/// analyzer through CompilationWithAnalyzers and compares diagnostics with markup.
/// </summary>
public static class AnalyzerHarness
{
    public const string ProjectDirectory = "/proj/";

    /// <summary>Rules compared by default (FPT004 is an always-on summary; tests about it ask for it).</summary>
    public static readonly string[] WarningRules = { "FPT001", "FPT002", "FPT003", "FPT005" };

    public static async Task<AnalysisRun> RunAsync(string markup, bool torchSharp = true, string? editorConfig = null, DiagnosticAnalyzer? analyzer = null)
    {
        var (source, spans) = Markup.Parse(markup);
        var project = CreateProject(new[] { source }, torchSharp, editorConfig);
        var compilation = (await project.GetCompilationAsync())!;
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        var diagnostics = await RunAnalyzerAsync(compilation, project, analyzer ?? new JacobianSpectrumAnalyzer());
        return new AnalysisRun(source, spans, diagnostics, errors, compilation, project);
    }

    public static Project CreateProject(IEnumerable<string> sources, bool torchSharp, string? editorConfig)
    {
        var workspace = new AdhocWorkspace();
        var id = ProjectId.CreateNewId();
        var references = References.FrameworkReferences.AddRange(torchSharp ? new[] { References.TorchSharp } : Array.Empty<MetadataReference>());
        var info = ProjectInfo.Create(id, VersionStamp.Create(), "Test", "Test", LanguageNames.CSharp,
            filePath: ProjectDirectory + "Test.csproj",
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: references);
        var solution = workspace.CurrentSolution.AddProject(info);
        int n = 0;
        foreach (var source in sources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(id), $"Test{n}.cs", SourceText.From(source), filePath: $"{ProjectDirectory}Test{n}.cs");
            n++;
        }

        // Tests check results, not timing: a generous budget unless the test sets its own (the machine is shared and loaded).
        editorConfig ??= "";
        if (!editorConfig.Contains("fpt_time_budget_ms", StringComparison.Ordinal)) editorConfig += "\nfpt_time_budget_ms = 600000";
        {
            var text = "root = true\n\n[*.cs]\n" + editorConfig.Trim() + "\n";
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(id), ".editorconfig", SourceText.From(text), filePath: ProjectDirectory + ".editorconfig");
        }

        return solution.GetProject(id)!;
    }

    public static async Task<ImmutableArray<Diagnostic>> RunAnalyzerAsync(Compilation compilation, Project project, DiagnosticAnalyzer analyzer)
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(project.AnalyzerOptions, (ex, _, _) => exceptions.Add(ex), concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create(analyzer), options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        Assert.True(exceptions.Count == 0, "analyzer threw: " + string.Join("; ", exceptions));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();
    }

    /// <summary>Runs the analyzer and checks that the diagnostics of the compared rules are exactly the expected ones.</summary>
    public static async Task<AnalysisRun> VerifyAsync(string markup, bool torchSharp = true, string? editorConfig = null, string[]? rules = null, params Expected[] expected)
    {
        var run = await RunAsync(markup, torchSharp, editorConfig);
        if (torchSharp) Assert.True(run.CompilerErrors.IsEmpty, "test source does not compile against the TorchSharp stub: " + string.Join("; ", run.CompilerErrors));
        rules ??= WarningRules;
        var actual = run.Diagnostics.Where(d => rules.Contains(d.Id)).ToList();
        Assert.True(actual.Count == expected.Length,
            $"expected {expected.Length} diagnostics, got {actual.Count}:\n" + string.Join("\n", actual.Select(d => $"{d.Id} {d.Location.SourceSpan} {d.GetMessage()}")));
        foreach (var e in expected)
        {
            var span = SpanOf(run, e);
            var match = actual.FirstOrDefault(d => d.Id == e.Id && d.Location.SourceSpan == span);
            Assert.True(match != null, $"no {e.Id} at {span} ('{run.Source.Substring(span.Start, span.Length)}'); got:\n" + string.Join("\n", actual.Select(d => $"{d.Id} {d.Location.SourceSpan} {d.GetMessage()}")));
            if (e.Arguments != null)
            {
                var descriptor = match!.Descriptor;
                var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Arguments);
                Assert.Equal(message, match.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (e.Severity != null) Assert.Equal(e.Severity.Value, match!.Severity);
            Assert.Equal(Descriptors.HelpLink(e.Id), match!.Descriptor.HelpLinkUri);
        }

        return run;
    }

    public static TextSpan SpanOf(AnalysisRun run, Expected e)
    {
        var candidates = run.Spans.Where(s => e.Location != null ? s.Key == e.Location : (s.Key == null || s.Key == e.Id)).ToList();
        Assert.True(candidates.Count == 1, $"markup for {e.Id} (location {e.Location ?? "[| |]"}) should mark exactly one span, found {candidates.Count}");
        return candidates[0].Span;
    }

    /// <summary>The single diagnostic with this ID (fails otherwise).</summary>
    public static Diagnostic Single(AnalysisRun run, string id)
    {
        var found = run.Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(found.Count == 1, $"expected one {id}, got {found.Count}: " + string.Join("; ", run.Diagnostics.Select(d => d.Id + " " + d.GetMessage())));
        return found[0];
    }
}
