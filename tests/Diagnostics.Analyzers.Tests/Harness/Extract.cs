using Diagnostics.Analyzers.Analysis;
using Diagnostics.Analyzers.Extraction;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>Runs the model extractor directly (semantic when the stub is referenced, syntax fallback otherwise).</summary>
public static class Extract
{
    /// <param name="syntaxOnly">No semantic model at all: the pure syntax fallback (names, usings, same-name declarations).</param>
    internal static async Task<List<ExtractedModel>> ModelsAsync(string source, bool torchSharp = true, bool syntaxOnly = false)
    {
        var project = AnalyzerHarness.CreateProject(new[] { source }, torchSharp, null);
        var compilation = (await project.GetCompilationAsync())!;
        if (torchSharp)
        {
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Xunit.Assert.True(errors.Count == 0, "test source does not compile against the TorchSharp stub: " + string.Join("; ", errors));
        }

        var tree = compilation.SyntaxTrees.Single();
        var resolver = syntaxOnly
            ? new TorchCallResolver(null, false, CancellationToken.None)
            : new TorchCallResolver(compilation.GetSemanticModel(tree), torchSharp, CancellationToken.None);
        var extractor = new ModelExtractor(resolver);
        var models = new List<ExtractedModel>();
        foreach (var node in (await tree.GetRootAsync()).DescendantNodes())
        {
            var model = node switch
            {
                InvocationExpressionSyntax inv when TorchCallResolver.InvokedName(inv) == "Sequential" => extractor.FromSequential(inv),
                ClassDeclarationSyntax cls => extractor.FromModuleClass(cls),
                _ => null,
            };
            if (model != null) models.Add(model);
        }

        return models;
    }

    internal static async Task<MappedModel> SingleArchitectureAsync(string source, bool torchSharp = true, bool syntaxOnly = false)
    {
        var models = await ModelsAsync(source, torchSharp, syntaxOnly);
        Xunit.Assert.True(models.Count == 1, $"expected one model, found {models.Count}");
        return ArchitectureMapper.Map(models[0], 1);
    }
}
