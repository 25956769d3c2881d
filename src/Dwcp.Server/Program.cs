using Dwcp.Configuration;
using Dwcp.Server;

/// <summary>Runs the server alone (<c>dotnet run --project src/Dwcp.Server</c>); <c>dwcp serve</c> is the usual way.</summary>
public partial class Program
{
    /// <summary>Entry point: configuration from dwcp.yaml and DWCP_* variables, as the CLI reads it.</summary>
    public static async Task Main(string[] args)
    {
        var loaded = DwcpConfigLoader.Load(null, DwcpConfigLoader.ReadEnvironment(), new Dictionary<string, string>());
        var options = DwcpServerOptions.FromConfig(loaded);
        var app = DwcpServer.Build(options, args);
        await app.RunAsync();
    }
}
