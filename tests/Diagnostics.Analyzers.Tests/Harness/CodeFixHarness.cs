using System.Collections.Immutable;
using Diagnostics.Analyzers.Rules;
using Diagnostics.CodeFixes.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>Code-fix before/after and FixAll on AdhocWorkspace projects, with the idempotence check (a fixed model raises no FPT001/FPT002).</summary>
public static class CodeFixHarness
{
    private static readonly string[] Fixable = { "FPT001", "FPT002" };

    /// <summary>Applies the critical-gain fix to the first FPT001/FPT002 of the source and returns the new text.</summary>
    public static async Task<string> ApplyFirstFixAsync(string source, bool torchSharp = true)
    {
        var project = AnalyzerHarness.CreateProject(new[] { source }, torchSharp, null);
        var diagnostics = await AnalyzeAsync(project);
        var diagnostic = diagnostics.First(d => Fixable.Contains(d.Id));
        var document = project.Documents.Single();
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None);
        await new CriticalGainFixer().RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        Assert.Equal(CriticalGainFixer.EquivalenceKey, action.EquivalenceKey);
        var solution = await ApplyAsync(action);
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>Applies <paramref name="fixer"/> to the first diagnostic it can fix and returns the new text (checks the equivalence key).</summary>
    public static async Task<string> ApplyFirstFixAsync(string source, CodeFixProvider fixer, string equivalenceKey, bool torchSharp = true, string? editorConfig = null)
    {
        var project = AnalyzerHarness.CreateProject(new[] { source }, torchSharp, editorConfig);
        var diagnostics = await AnalyzeAsync(project);
        var diagnostic = diagnostics.First(d => fixer.FixableDiagnosticIds.Contains(d.Id));
        var document = project.Documents.Single();
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None);
        await fixer.RegisterCodeFixesAsync(context);
        var action = Assert.Single(actions);
        Assert.Equal(equivalenceKey, action.EquivalenceKey);
        var solution = await ApplyAsync(action);
        return (await solution.GetDocument(document.Id)!.GetTextAsync()).ToString();
    }

    /// <summary>The diagnostics of the analyzer on these sources (with the harness's .editorconfig).</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(IEnumerable<string> sources, bool torchSharp, string? editorConfig = null) =>
        await AnalyzeAsync(AnalyzerHarness.CreateProject(sources, torchSharp, editorConfig));

    /// <summary>FixAll of <paramref name="fixer"/> in the given scope, starting from the first document; returns the texts of all documents.</summary>
    public static async Task<IReadOnlyList<string>> FixAllAsync(IEnumerable<string> sources, FixAllScope scope, CodeFixProvider fixer, string equivalenceKey, bool torchSharp = true)
    {
        var project = AnalyzerHarness.CreateProject(sources, torchSharp, null);
        var provider = fixer.GetFixAllProvider()!;
        var context = new FixAllContext(project.Documents.First(), fixer, scope, equivalenceKey, fixer.FixableDiagnosticIds, new Provider(), CancellationToken.None);
        var action = await provider.GetFixAsync(context);
        Assert.NotNull(action);
        var solution = await ApplyAsync(action!);
        var texts = new List<string>();
        foreach (var id in project.DocumentIds) texts.Add((await solution.GetDocument(id)!.GetTextAsync()).ToString());
        return texts;
    }

    /// <summary>The fixes the fixer offers for every FPT001/FPT002 of the source.</summary>
    public static async Task<int> CountOfferedFixesAsync(string source, bool torchSharp = true)
    {
        var project = AnalyzerHarness.CreateProject(new[] { source }, torchSharp, null);
        int count = 0;
        foreach (var diagnostic in (await AnalyzeAsync(project)).Where(d => Fixable.Contains(d.Id)))
        {
            var context = new CodeFixContext(project.Documents.Single(), diagnostic, (_, _) => count++, CancellationToken.None);
            await new CriticalGainFixer().RegisterCodeFixesAsync(context);
        }

        return count;
    }

    /// <summary>Checks the fixed text and that it compiles (with the stub) and raises no FPT001/FPT002 any more.</summary>
    public static async Task VerifyFixAsync(string before, string after, bool torchSharp = true)
    {
        var fixedText = await ApplyFirstFixAsync(before, torchSharp);
        Assert.Equal(after.ReplaceLineEndings("\n"), fixedText.ReplaceLineEndings("\n"));
        await AssertNoStabilityWarningAsync(new[] { fixedText }, torchSharp);
    }

    public static async Task AssertNoStabilityWarningAsync(IEnumerable<string> sources, bool torchSharp)
    {
        var project = AnalyzerHarness.CreateProject(sources, torchSharp, null);
        var compilation = (await project.GetCompilationAsync())!;
        if (torchSharp) Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var diagnostics = await AnalyzeAsync(project);
        Assert.True(!diagnostics.Any(d => Fixable.Contains(d.Id) || d.Id == "FPT005"),
            "fixed code still reports: " + string.Join("; ", diagnostics.Where(d => d.Id != "FPT004").Select(d => d.Id + " " + d.GetMessage())));
    }

    /// <summary>FixAll in the given scope, starting from the first document; returns the texts of all documents.</summary>
    public static async Task<IReadOnlyList<string>> FixAllAsync(IEnumerable<string> sources, FixAllScope scope, bool torchSharp = true)
    {
        var project = AnalyzerHarness.CreateProject(sources, torchSharp, null);
        var fixer = new CriticalGainFixer();
        var provider = fixer.GetFixAllProvider()!;
        var context = new FixAllContext(project.Documents.First(), fixer, scope, CriticalGainFixer.EquivalenceKey, Fixable, new Provider(), CancellationToken.None);
        var action = await provider.GetFixAsync(context);
        Assert.NotNull(action);
        var solution = await ApplyAsync(action!);
        var texts = new List<string>();
        foreach (var id in project.DocumentIds) texts.Add((await solution.GetDocument(id)!.GetTextAsync()).ToString());
        return texts;
    }

    private static async Task<Solution> ApplyAsync(CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        return Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        return await AnalyzerHarness.RunAnalyzerAsync(compilation, project, new JacobianSpectrumAnalyzer());
    }

    private sealed class Provider : FixAllContext.DiagnosticProvider
    {
        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return (await AnalyzeAsync(document.Project)).Where(d => d.Location.SourceTree == tree);
        }

        public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            (await AnalyzeAsync(project)).Where(d => !d.Location.IsInSource);

        public override async Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            await AnalyzeAsync(project);
    }
}
