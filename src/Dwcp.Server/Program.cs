using Dwcp.Server;

/// <summary>Runs the server alone (<c>dotnet run --project src/Dwcp.Server</c>); the CLI's <c>serve</c> is the usual way.</summary>
public partial class Program
{
    /// <summary>Entry point. Reads DWCP_DATA_DIR and DWCP_API_URLS from the environment.</summary>
    public static async Task Main(string[] args)
    {
        var options = new DwcpServerOptions
        {
            DataDir = Environment.GetEnvironmentVariable("DWCP_DATA_DIR") ?? "./.dwcp",
            Urls = Environment.GetEnvironmentVariable("DWCP_API_URLS") ?? "http://127.0.0.1:8080",
        };
        var app = DwcpServer.Build(options, args);
        await app.RunAsync();
    }
}
