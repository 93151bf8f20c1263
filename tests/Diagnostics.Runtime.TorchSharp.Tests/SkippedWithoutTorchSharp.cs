using Xunit;

namespace Diagnostics.Runtime.TorchSharp.Tests;

public class SkippedWithoutTorchSharp
{
    [Fact(Skip = "TorchSharp adapter tests are built only with -p:EnableTorchSharp=true (TorchSharp-cpu package and libtorch).")]
    public void TorchSharpAdapterTests() => Assert.Fail("not reached");
}
