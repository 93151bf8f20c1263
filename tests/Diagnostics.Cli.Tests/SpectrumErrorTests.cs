using Xunit;

namespace Diagnostics.Cli.Tests;

public class SpectrumErrorTests
{
    private static readonly string[] Valid = { "spectrum", "--widths", "10,10,10", "--activation", "relu", "--weight-variance", "2", "--no-svg" };

    private static string[] With(params string[] replacements)
    {
        // Replaces the values of options already in Valid, appends the others.
        var args = Valid.ToList();
        for (int i = 0; i < replacements.Length; i += 2)
        {
            int at = args.IndexOf(replacements[i]);
            if (at >= 0) args[at + 1] = replacements[i + 1];
            else args.AddRange(new[] { replacements[i], replacements[i + 1] });
        }

        return args.ToArray();
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { With("--weight-variance", "-1"), "weight variance must be > 0, got -1" },
        { With("--weight-variance", "0"), "weight variance must be > 0, got 0" },
        { With("--weight-variance", "abc"), "could not parse weight variance 'abc'" },
        { With("--weight-variance", "2,3,4"), "--weight-variance has 3 values" },
        { With("--weight-variance", "2,-1"), "weight variance of layer 2 must be > 0, got -1" },
        { With("--bias-variance", "-0.5"), "bias variance must be >= 0" },
        { With("--bias-variance", "0,0,0"), "--bias-variance has 3 values" },
        { With("--widths", "10,0,10"), "width N_1 must be a positive integer, got 0" },
        { With("--widths", "10,7.5,10"), "width N_1 must be a positive integer, got '7.5'" },
        { With("--widths", "10,ten"), "could not parse width N_1 'ten'" },
        { With("--widths", "10"), "at least two" },
        { With("--widths", "10,,10"), "empty entry" },
        { With("--activation", "swoosh"), "unknown activation 'swoosh'" },
        { With("--activation", "relu,relu,relu"), "--activation has 3 values" },
        { With("--activation", "relu,tanh", "--last-activation", "identity"), "--last-activation cannot be combined" },
        { With("--last-activation", "nope"), "unknown activation 'nope'" },
        { With("--input-variance", "0"), "input variance must be > 0, got 0" },
        { With("--input-variance", "x"), "could not parse --input-variance 'x'" },
        { With("--slope", "-0.1"), "slope (--slope) must be >= 0" },
        { With("--grid-points", "5"), "--grid-points must be between 10 and 1000000" },
        { With("--grid-points", "1.5"), "--grid-points must be an integer" },
        { With("--init", "xavier"), "--init must be gaussian or orthogonal" },
        { With("--y-scale", "cubic"), "--y-scale must be auto, linear or log" },
        { With("--weight-variance", "NaN"), "must be a finite number" },
        { new[] { "spectrum", "--activation", "relu", "--weight-variance", "2" }, "'--widths' is required" },
        { new[] { "spectrum", "--widths", "10,10", "--weight-variance", "2" }, "'--activation' is required" },
        { new[] { "spectrum", "--widths", "10,10", "--activation", "relu" }, "'--weight-variance' is required" },
        { With("--frobnicate", "1"), "'--frobnicate'" },
        { new[] { "spectrum", "--widths" }, "--widths" },
        { new[] { "spectre" }, "'spectre'" },
        { Array.Empty<string>(), "required command" },
        { Valid.Concat(new[] { "--density" }).ToArray(), "--density" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_give_exit_code_2_and_one_line(string[] args, string expected)
    {
        var result = Cli.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Stderr); // no stack trace
    }

    [Fact]
    public void Unwritable_svg_path_gives_exit_code_1_and_one_line()
    {
        string path = Path.Combine(Cli.TempDirectory(), "missing-dir", "plot.svg");
        var result = Cli.Run("spectrum", "--widths", "10,10", "--activation", "relu", "--weight-variance", "2", "--svg", path, "--grid-points", "20");
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error: could not write", line);
    }

    [Fact]
    public void Help_succeeds_and_documents_the_exit_codes()
    {
        var result = Cli.Run("spectrum", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--widths", result.Stdout);
        Assert.Contains("--weight-variance", result.Stdout);
        Assert.Contains("3 valid input but the spectral engine could not certify", result.Stdout);

        var root = Cli.Run("--help");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains("spectrum", root.Stdout);
    }
}

public class SpectrumEngineFailureTests
{
    private static readonly Diagnostics.Cli.Commands.SpectrumInput Input = new()
    {
        Widths = "10,10", Activation = "tanh", WeightVariance = "1", NoSvg = true,
    };

    [Fact]
    public void Convergence_failure_gives_exit_code_3_and_one_line()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Diagnostics.Cli.Commands.SpectrumCommand.Execute(Input, stdout, stderr,
            (_, _) => throw new Diagnostics.Spectra.SpectralConvergenceException("the lilypad walk exceeded 200000 basin tests."));
        Assert.Equal(3, code);
        Assert.Equal("", stdout.ToString());
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: the spectral engine did not converge: the lilypad walk exceeded 200000 basin tests.", line);
    }

    [Fact]
    public void Invalid_architecture_from_the_engine_gives_exit_code_2()
    {
        var stderr = new StringWriter();
        int code = Diagnostics.Cli.Commands.SpectrumCommand.Execute(Input, new StringWriter(), stderr,
            (_, _) => throw new Diagnostics.Spectra.InvalidArchitectureException("the imaginary part must be positive."));
        Assert.Equal(2, code);
        Assert.Equal("error: the imaginary part must be positive.", stderr.ToString().Trim());
    }
}
