namespace Diagnostics.Cli.Commands;

/// <summary>A command-line argument is not valid. The message is one line, shown as <c>error: message</c>; exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

/// <summary>Process exit codes of <c>fpt</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Could not write an output file, or an unexpected internal error.</summary>
    public const int Failure = 1;

    /// <summary>Invalid arguments: parse error, bad number, unknown activation, invalid architecture.</summary>
    public const int Usage = 2;

    /// <summary>Valid input, but the spectral engine could not certify a result (convergence failure).</summary>
    public const int Convergence = 3;
}
