using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Diagnostics.Spectra;
using Diagnostics.Spectra.Architecture;
using Diagnostics.Spectra.Fisher;

namespace Diagnostics.Cli.Commands;

/// <summary><c>fpt lr-bound</c>: the Fisher-information spectrum of a network with a linear output layer and the largest stable SGD rate.</summary>
internal static class LrBoundCommand
{
    public const string Description =
        "Largest stable SGD learning rate at initialisation from the limiting spectrum of the dual conditional Fisher information "
        + "H_L = (1/M) J J^T of a fully connected network with a linear output layer and MSE loss (Hayase and Karakida 2021): "
        + "lambda_max, mean, deciles and eta < 2/lambda_max for the loss (1/(2M))|y - f|^2 (1/lambda_max for TorchSharp mse_loss, mean reduction). "
        + "Same architecture options as 'fpt spectrum'; the activation of the last layer is ignored (linear output). "
        + "Exit codes: 0 success; 2 invalid arguments; 3 the engine could not certify a result.";

    public const string PaperLoss = "(1/(2M)) * sum_i (y_i - f_i)^2 per sample, plain SGD; Gauss-Newton Hessian (1/M) J^T J has the non-zero spectrum of H_L; eta < 2/lambda_max";

    public const string TorchMeanLoss = "TorchSharp mse_loss(reduction: Mean) = (1/(B M)) sum_b |y_b - f_b|^2 = 2x the paper's loss at B = 1: eta < 1/lambda_max";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var widths = new Option<string>("--widths") { Description = "Layer widths N_0,...,N_L (input first); M = N_L is the output width.", HelpName = "n0,n1,...", Required = true };
        var activation = new Option<string>("--activation") { Description = "Activation of the hidden layers, or one per layer (the last is ignored): " + string.Join(", ", Activation.CanonicalNames) + ".", HelpName = "name[,name...]", Required = true };
        var weightVariance = new Option<string>("--weight-variance") { Description = "sigma_w^2 (> 0); one value or one per layer.", HelpName = "v[,v...]", Required = true };
        var biasVariance = new Option<string>("--bias-variance") { Description = "sigma_b^2 (>= 0); one value or one per layer (biases are not trained parameters here).", HelpName = "v[,v...]", DefaultValueFactory = _ => "0" };
        var init = new Option<string>("--init") { Description = "gaussian or orthogonal; one value or one per layer.", HelpName = "gaussian|orthogonal", DefaultValueFactory = _ => "gaussian" };
        var inputVariance = new Option<string>("--input-variance") { Description = "q_0 (> 0), the variance of the input entries.", HelpName = "q0", DefaultValueFactory = _ => "1" };
        var slope = new Option<string>("--slope") { Description = "Negative slope of leaky_relu (>= 0).", HelpName = "s", DefaultValueFactory = _ => Activation.DefaultLeakySlope.ToString(CultureInfo.InvariantCulture) };
        var gridPoints = new Option<string>("--grid-points") { Description = "Points of the density grid (10 to 1000000).", HelpName = "n", DefaultValueFactory = _ => "400" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var svg = new Option<string>("--svg") { Description = "Also write an SVG plot of the density of H_L (log x axis) to this file.", HelpName = "file" };
        var command = new Command("lr-bound", Description) { widths, activation, weightVariance, biasVariance, init, inputVariance, slope, gridPoints, json, svg };
        command.SetAction(parse => Execute(new SpectrumInput
        {
            Widths = parse.GetValue(widths),
            Activation = parse.GetValue(activation),
            WeightVariance = parse.GetValue(weightVariance),
            BiasVariance = parse.GetValue(biasVariance)!,
            Init = parse.GetValue(init)!,
            InputVariance = parse.GetValue(inputVariance)!,
            Slope = parse.GetValue(slope)!,
            GridPoints = parse.GetValue(gridPoints)!,
            Json = parse.GetValue(json),
            Svg = parse.GetValue(svg),
        }, stdout, stderr));
        return command;
    }

    public static int Execute(SpectrumInput input, TextWriter stdout, TextWriter stderr)
    {
        LrBoundSettings settings;
        try
        {
            settings = LrBoundSettings.Parse(input);
        }
        catch (UsageException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }
        catch (InvalidArchitectureException ex)
        {
            return Program.Fail(stderr, ex.Message.TrimEnd('.'), ExitCodes.Usage);
        }

        FisherInformationLaw law;
        try
        {
            law = FisherSpectrum.Compute(settings.Network, settings.Options);
        }
        catch (InvalidArchitectureException ex)
        {
            return Program.Fail(stderr, ex.Message, ExitCodes.Usage);
        }
        catch (SpectralException ex)
        {
            return Program.Fail(stderr, "the spectral engine did not converge: " + ex.Message, ExitCodes.Convergence);
        }

        if (input.Svg != null)
        {
            if (input.Svg.Trim().Length == 0) return Program.Fail(stderr, "--svg needs a file name", ExitCodes.Usage);
            try
            {
                Plot(law).Save(input.Svg);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                return Program.Fail(stderr, $"could not write '{input.Svg}': {ex.Message}", ExitCodes.Failure);
            }
        }

        stdout.WriteLine(settings.Json ? Json(law) : Table(law));
        stdout.Flush();
        return ExitCodes.Ok;
    }

    /// <summary>Density of H_L with lambda_max, the mean and the atoms, on the shared SVG plot.</summary>
    internal static Plots.DensityPlot Plot(FisherInformationLaw law)
    {
        var plot = new Plots.DensityPlot($"Fisher information spectrum: widths {string.Join(",", law.Network.Widths)}")
        {
            Subtitle = $"law of the eigenvalues of H_L = (1/M) J J\u1d40 at initialisation (infinite width), {law.Grid.Count} grid points",
            XLabel = "\u03bb, eigenvalue of H_L (log scale)",
            YLabel = "density of the continuous part",
        };
        if (law.Grid.Count > 0)
        {
            plot.Series.Add(new Plots.PlotSeries(law.Grid, law.Density, $"density (continuous mass {law.ContinuousMassFromDensity:0.###})", "#1f77b4"));
            plot.LogY = Plots.DensityPlot.PrefersLogY(law.Density);
        }

        foreach (var a in law.Atoms) plot.PointMasses.Add(new Plots.PlotPointMass(a.Position, a.Mass, $"atom {a.Mass:0.###}", "#9467bd"));
        plot.Markers.Add(new Plots.PlotMarker(law.LambdaMax, "\u03bb_max", "#d62728", false, "lmax"));
        plot.Markers.Add(new Plots.PlotMarker(law.Mean, "mean", "#2ca02c", true, "mean"));
        plot.MarkerGroups["lmax"] = $"\u03bb_max = {F(law.LambdaMax)}";
        plot.MarkerGroups["mean"] = $"mean = {F(law.Mean)}";
        plot.Notes.Add($"SGD: \u03b7 < {F(law.MaxStableLearningRate(LossNormalisation.HalfMeanSquaredError))} for (1/2M)|y - f|\u00b2");
        plot.Notes.Add($"mse_loss (mean): \u03b7 < {F(law.MaxStableLearningRate(LossNormalisation.TorchMseLossMean))}");
        return plot;
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    internal static string Table(FisherInformationLaw law)
    {
        var net = law.Network;
        int m = net.Widths[^1];
        var sb = new StringBuilder();
        sb.AppendLine($"Fisher information H_L = (1/M) J J^T, M = {m}, depth {net.Depth}, widths {string.Join(",", net.Widths)} (last layer linear)");
        sb.AppendLine($"  lambda_max            {F(law.LambdaMax)}");
        sb.AppendLine($"  mean (eq. 32)         {F(law.Mean)}");
        sb.AppendLine($"  lower bound           {F(law.LowerBound)}");
        sb.AppendLine($"  total mass            {F(law.TotalMass)}");
        foreach (var a in law.Atoms) sb.AppendLine($"  atom                  {F(a.Mass)} at {F(a.Position)}");
        sb.AppendLine("  deciles");
        foreach (var (level, value) in law.Quantiles()) sb.AppendLine($"    {level.ToString("0.0", CultureInfo.InvariantCulture)}                 {F(value)}");
        sb.AppendLine("Largest stable SGD learning rate (plain SGD, batch size 1; sufficient for larger batches):");
        sb.AppendLine($"  loss (1/(2M))|y - f|^2 (paper)          eta < {F(law.MaxStableLearningRate(LossNormalisation.HalfMeanSquaredError))}");
        sb.AppendLine($"  TorchSharp mse_loss, reduction Mean     eta < {F(law.MaxStableLearningRate(LossNormalisation.TorchMseLossMean))}");
        sb.Append($"  TorchSharp mse_loss, reduction Sum      eta < {F(law.MaxStableLearningRate(LossNormalisation.TorchMseLossSum))}");
        return sb.ToString();
    }

    internal static string Json(FisherInformationLaw law)
    {
        var net = law.Network;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("depth", net.Depth);
            w.WriteStartArray("widths");
            foreach (int n in net.Widths) w.WriteNumberValue(n);
            w.WriteEndArray();
            w.WriteNumber("output_width", net.Widths[^1]);
            w.WriteNumber("lambda_max", law.LambdaMax);
            w.WriteNumber("mean", law.Mean);
            w.WriteNumber("lower_bound", law.LowerBound);
            w.WriteNumber("support_lower", law.SupportLower);
            w.WriteNumber("total_mass", law.TotalMass);
            w.WriteStartObject("quantiles");
            foreach (var (level, value) in law.Quantiles()) w.WriteNumber(level.ToString("0.0", CultureInfo.InvariantCulture), value);
            w.WriteEndObject();
            w.WriteStartArray("atoms");
            foreach (var a in law.Atoms)
            {
                w.WriteStartObject();
                w.WriteNumber("position", a.Position);
                w.WriteNumber("mass", a.Mass);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("max_stable_lr", law.MaxStableLearningRate(LossNormalisation.HalfMeanSquaredError));
            w.WriteString("loss_normalisation", PaperLoss);
            w.WriteNumber("max_stable_lr_torch_mse_loss_mean", law.MaxStableLearningRate(LossNormalisation.TorchMseLossMean));
            w.WriteString("torch_mse_loss_mean_normalisation", TorchMeanLoss);
            w.WriteNumber("max_stable_lr_torch_mse_loss_sum", law.MaxStableLearningRate(LossNormalisation.TorchMseLossSum));
            w.WriteString("cross_entropy", "not supported: MSE only");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
