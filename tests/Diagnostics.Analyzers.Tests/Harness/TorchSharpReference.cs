using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>Metadata references: the running framework and the declaration-only TorchSharp stub compiled once in memory.</summary>
public static class References
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Framework = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    private static readonly Lazy<MetadataReference> TorchSharpStub = new(CompileStub);

    public static ImmutableArray<MetadataReference> FrameworkReferences => Framework.Value;

    public static MetadataReference TorchSharp => TorchSharpStub.Value;

    private static MetadataReference CompileStub()
    {
        using var stream = typeof(References).Assembly.GetManifestResourceStream("TorchSharp.Declarations.cs")
            ?? throw new InvalidOperationException("embedded TorchSharp stub not found");
        using var reader = new StreamReader(stream);
        var tree = CSharpSyntaxTree.ParseText(reader.ReadToEnd(), new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create("TorchSharp", new[] { tree }, FrameworkReferences,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException("TorchSharp stub does not compile: " + string.Join("; ", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
