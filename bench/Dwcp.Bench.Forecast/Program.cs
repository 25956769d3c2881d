using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Dwcp.Bench.Forecast;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length == 0 || args[0] is not ("eval" or "speed" or "cost"))
{
    Console.Error.WriteLine("usage: eval [--sets taxi,hourly,weekly,m4hourly,m4weekly] [--count 200] [--methods naive,snaive,naive2,theta,ets,arima,mstl,auto] [--threads 2] [--out bench/results]");
    Console.Error.WriteLine("       speed [--series 1000] [--points 1000] [--subset 200] [--threads 2] [--out bench/results]");
    Console.Error.WriteLine("       cost [--out bench/results]   (the demo-estate cost-forecast table of docs/forecasting.md)");
    return 2;
}

string Opt(string name, string dflt)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : dflt;
}

string root = FindRoot();
string outDir = Path.Combine(root, Opt("--out", Path.Combine("bench", "results")));
Directory.CreateDirectory(outDir);
int threads = int.Parse(Opt("--threads", "2"), CultureInfo.InvariantCulture);
string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
string machine = $"{Environment.MachineName}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";

if (args[0] == "eval")
{
    var sets = Opt("--sets", "taxi,hourly,weekly,m4hourly,m4weekly").Split(',');
    int count = int.Parse(Opt("--count", "200"), CultureInfo.InvariantCulture);
    var methods = Opt("--methods", "naive,snaive,naive2,theta,otm,ets,arima,mstl,gbm,comb,auto,auto+gbm").Split(',');
    var sb = new StringBuilder();
    sb.AppendLine($"# Forecast evaluation {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    sb.AppendLine();
    sb.AppendLine($"Machine: {machine}; {threads} worker threads. Command: `dotnet run -c Release --project bench/Dwcp.Bench.Forecast -- {string.Join(' ', args)}`");
    sb.AppendLine();
    sb.AppendLine("sMAPE and MASE are means over forecasts; OWA = (sMAPE/sMAPE_Naive2 + MASE/MASE_Naive2)/2 on those means (M4); MSIS at 95% scaled like MASE; coverage = share of held-out points inside the interval.");
    sb.AppendLine();
    foreach (var s in sets)
    {
        var set = s switch
        {
            "taxi" => Datasets.NycTaxi(Path.Combine(root, "data", "nab", "data", "realKnownCause", "nyc_taxi.csv")),
            "hourly" => Datasets.SyntheticHourly(count, 20261128),
            "weekly" => Datasets.SyntheticWeekly(count, 20261129),
            "m4hourly" => M4LikeDatasets.Hourly(count, 20261130),
            "m4weekly" => M4LikeDatasets.Weekly(count, 20261201),
            _ => throw new ArgumentException($"Unknown set '{s}'; use taxi, hourly, weekly, m4hourly, m4weekly."),
        };
        Console.WriteLine($"{set.Name}: {set.Cases.Count} cases");
        var scores = Eval.Run(set, methods, threads, Console.Out);
        sb.Append(Eval.Table(set, scores));
    }

    string path = Path.Combine(outDir, $"forecast-eval-{stamp}.md");
    File.WriteAllText(path, sb.ToString());
    Console.WriteLine("wrote " + path);
    return 0;
}

if (args[0] == "cost")
{
    string path = Path.Combine(outDir, $"forecast-cost-{stamp}.md");
    File.WriteAllText(path, CostTable.Run(machine));
    Console.WriteLine("wrote " + path);
    return 0;
}

{
    int series = int.Parse(Opt("--series", "1000"), CultureInfo.InvariantCulture);
    int points = int.Parse(Opt("--points", "1000"), CultureInfo.InvariantCulture);
    int subset = int.Parse(Opt("--subset", "200"), CultureInfo.InvariantCulture);
    string report = Speed.Run(series, points, subset, threads, machine, Console.Out);
    string path = Path.Combine(outDir, $"forecast-speed-{stamp}.md");
    File.WriteAllText(path, report);
    Console.WriteLine("wrote " + path);
    return 0;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
