using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text;
using Diagnostics.Cli.Commands;

namespace Diagnostics.Cli;

/// <summary>Entry point of <c>fpt</c>, the free-probability toolkit for network diagnostics.</summary>
internal static class Program
{
    public const string Description =
        "fpt: free-probability diagnostics of deep networks at initialisation. "
        + "'fpt spectrum' computes the limiting law of the squared singular values of the input-output Jacobian.";

    public static int Main(string[] args)
    {
        try
        {
            Console.OutputEncoding = new UTF8Encoding(false);
        }
        catch (IOException)
        {
        }

        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Parses and runs a command line, writing to the given streams; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var root = BuildRoot(stdout, stderr);
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                // One line, no help dump: the first error, then where to look.
                // "Required command was not provided" is the least specific error: prefer any other.
                var errors = parse.Errors.Select(e => e.Message).ToList();
                var first = errors.FirstOrDefault(e => !e.StartsWith("Required command", StringComparison.Ordinal))
                    ?? errors.FirstOrDefault() ?? "invalid command line";
                if (first.Length > 0) first = char.ToLowerInvariant(first[0]) + first[1..];
                string command = parse.CommandResult.Command == root ? "fpt" : "fpt " + parse.CommandResult.Command.Name;
                return Fail(stderr, $"{first.TrimEnd('.')} (see '{command} --help')", ExitCodes.Usage);
            }

            return parse.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception ex)
        {
            return Fail(stderr, $"internal error: {ex.GetType().Name}: {OneLine(ex.Message)}", ExitCodes.Failure);
        }
    }

    /// <summary>The root command: <c>fpt</c> with its subcommands.</summary>
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr) => new(Description)
    {
        SpectrumCommand.Create(stdout, stderr),
        LrBoundCommand.Create(stdout, stderr),
        PruneCommand.Create(stdout, stderr),
        CheckCommand.Create(stdout, stderr),
    };

    /// <summary>Writes <c>error: message</c> as one line to <paramref name="stderr"/> and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(TextWriter stderr, string message, int exitCode)
    {
        stderr.WriteLine("error: " + OneLine(message));
        stderr.Flush();
        return exitCode;
    }

    private static string OneLine(string message) =>
        string.Join(" ", message.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
}
