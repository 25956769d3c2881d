using System.Diagnostics;
using System.Text;

namespace Dwcp.Cli.Tests;

/// <summary>Runs the real <c>dwcp</c> (the built dwcp.dll) as a child process, as a user would.</summary>
internal static class CliRunner
{
    public static string DwcpDll { get; } = Path.Combine(AppContext.BaseDirectory, "dwcp.dll");

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public string All => Out + Err;
    }

    public static Result Run(string? workingDir, params string[] args) => RunWithEnv(workingDir, null, args);

    public static Result RunWithEnv(string? workingDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var p = Start(workingDir, env, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dwcp {string.Join(' ', args)} did not finish within 3 minutes.");
        }

        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Process Start(string? workingDir, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDir ?? Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(DwcpDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("DWCP_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return Process.Start(psi)!;
    }
}
