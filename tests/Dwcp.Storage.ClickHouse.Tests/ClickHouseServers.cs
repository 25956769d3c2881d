using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>
/// The ClickHouse servers the tests use: those named by <c>CLICKHOUSE_TEST_URL</c> (one server) and
/// <c>CLICKHOUSE_TEST_SHARDS</c> (comma-separated URLs of the shards of cluster <c>CLICKHOUSE_TEST_CLUSTER</c>,
/// default <c>dwcp</c>) when set (test.sh starts them), otherwise servers this fixture starts with
/// tools/clickhouse/start.sh and cluster.sh on free ports in a temporary folder and stops by PID at the end.
/// </summary>
/// <remarks>
/// One set of servers per test run, shared by the test collections (which xunit runs in parallel): each collection's
/// fixture acquires it, and the last one to finish stops the servers.
/// </remarks>
public sealed class ClickHouseServers : IAsyncLifetime
{
    private static readonly SemaphoreSlim SharedGate = new(1, 1);
    private static ClickHouseServers? _instance;
    private static int _users;

    private readonly List<(string State, int Pid)> _started = [];
    private readonly List<string> _databases = [];
    private string? _root;
    private readonly List<IAsyncDisposable> _tracked = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, object> _shared = [];

    public Uri Single { get; private set; } = null!;

    public IReadOnlyList<Uri> ShardUrls { get; private set; } = [];

    public string Cluster { get; private set; } = "dwcp";

    public static string Tools => RepoPaths.Of("tools", "clickhouse");

    /// <summary>The run's servers, started by the first caller.</summary>
    public static async Task<ClickHouseServers> AcquireAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var servers = new ClickHouseServers();
                await servers.InitializeAsync();
                _instance = servers;
            }

            _users++;
            return _instance;
        }
        finally
        {
            SharedGate.Release();
        }
    }

    /// <summary>Releases the servers; the last user stops them.</summary>
    public static async Task ReleaseAsync()
    {
        await SharedGate.WaitAsync();
        try
        {
            if (--_users == 0 && _instance is not null)
            {
                await _instance.DisposeAsync();
                _instance = null;
            }
        }
        finally
        {
            SharedGate.Release();
        }
    }

    public async Task InitializeAsync()
    {
        var single = Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL");
        var shards = Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_SHARDS");
        Cluster = Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_CLUSTER") is { Length: > 0 } c ? c : "dwcp";
        var root = _root = RepoPaths.NewTempDir("dwcp-ch");
        if (string.IsNullOrWhiteSpace(single) || string.IsNullOrWhiteSpace(shards))
        {
            await RunScriptAsync("install.sh");
        }

        // Start what the environment does not give, the single server and the cluster at the same time.
        var singleTask = !string.IsNullOrWhiteSpace(single)
            ? Task.FromResult(new Uri(single))
            : StartSingleAsync(Path.Combine(root, "single"));
        var shardsTask = !string.IsNullOrWhiteSpace(shards)
            ? Task.FromResult<IReadOnlyList<Uri>>(shards.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList())
            : StartClusterAsync(Path.Combine(root, "cluster"));
        Single = await singleTask;
        ShardUrls = await shardsTask;
    }

    private async Task<Uri> StartSingleAsync(string state) => (await StartServerAsync(state)).Url;

    private async Task<IReadOnlyList<Uri>> StartClusterAsync(string clusterRoot)
    {
        var ports = Enumerable.Range(0, 2).Select(_ => (Http: FreePort(), Tcp: FreePort())).ToList();
        var pids = await RunScriptAsync("cluster.sh", [clusterRoot, .. ports.Select(p => $"{p.Http}:{p.Tcp}")]);
        var lines = pids.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lock (_started)
        {
            for (var i = 0; i < lines.Length; i++)
            {
                _started.Add((Path.Combine(clusterRoot, $"shard{i + 1}"), int.Parse(lines[i].Trim())));
            }
        }

        return ports.Select(p => new Uri($"http://127.0.0.1:{p.Http}")).ToList();
    }

    /// <summary>A fresh state folder under the run's temporary folder (deleted at the end).</summary>
    public string NewStateDir(string name) => Path.Combine(_root!, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Starts a server of its own (for tests that kill it); stopped with the others at the end.</summary>
    public async Task<(Uri Url, int Pid, Func<Task<int>> Restart)> StartServerAsync(string state)
    {
        var http = FreePort();
        var tcp = FreePort();
        var pid = int.Parse((await RunScriptAsync("start.sh", [state, http.ToString(), tcp.ToString()])).Trim());
        lock (_started)
        {
            _started.Add((state, pid));
        }

        async Task<int> Restart()
        {
            var again = int.Parse((await RunScriptAsync("start.sh", [state, http.ToString(), tcp.ToString()])).Trim());
            lock (_started)
            {
                _started.Add((state, again));
            }

            return again;
        }

        return (new Uri($"http://127.0.0.1:{http}"), pid, Restart);
    }

    /// <summary>A fresh database name (every test gets an empty store); dropped at the end.</summary>
    public string NewDatabase()
    {
        var name = "dwcp_t_" + Guid.NewGuid().ToString("N")[..12];
        lock (_databases)
        {
            _databases.Add(name);
        }

        return name;
    }

    /// <summary>Drops a test's database on every server (so that the servers do not accumulate tables during the run).</summary>
    public async Task DropDatabaseAsync(string database)
    {
        using var http = new HttpClient();
        foreach (var url in ShardUrls.Append(Single).Distinct())
        {
            using var content = new StringContent($"DROP DATABASE IF EXISTS {database}");
            using var response = await http.PostAsync(new Uri(url, "?wait_end_of_query=1"), content);
            response.EnsureSuccessStatusCode();
        }

        lock (_databases)
        {
            _databases.Remove(database);
        }
    }

    public ClickHouseStoreOptions SingleOptions(string database) => new() { Urls = [Single], Database = database };

    public ClickHouseStoreOptions ShardOptions(string database) =>
        new() { Urls = ShardUrls, Shards = ShardUrls.Count, Cluster = Cluster, Database = database };

    public ClickHouseStoreOptions Options(bool sharded, string database) => sharded ? ShardOptions(database) : SingleOptions(database);

    /// <summary>
    /// A value built once for the whole run (e.g. a data set loaded into several stores), shared by the test classes
    /// that ask for it by key; disposable parts are registered with <see cref="Track"/>.
    /// </summary>
    public async Task<T> SharedAsync<T>(string key, Func<Task<T>> build)
        where T : notnull
    {
        await _gate.WaitAsync();
        try
        {
            if (!_shared.TryGetValue(key, out var value))
            {
                value = await build();
                _shared[key] = value;
            }

            return (T)value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Disposes <paramref name="disposable"/> when the run ends (before the servers stop).</summary>
    public T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        lock (_tracked)
        {
            _tracked.Add(disposable);
        }

        return disposable;
    }

    public async Task DisposeAsync()
    {
        foreach (var d in _tracked)
        {
            await d.DisposeAsync();
        }

        // Servers given by the environment are shared: remove what the tests created there.
        if (_started.Count == 0 || Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL") is { Length: > 0 })
        {
            using var http = new HttpClient();
            foreach (var url in ShardUrls.Append(Single).Distinct())
            {
                foreach (var db in _databases)
                {
                    try
                    {
                        using var content = new StringContent($"DROP DATABASE IF EXISTS {db}");
                        using var _ = await http.PostAsync(url, content);
                    }
                    catch (HttpRequestException)
                    {
                        // A server that went away has nothing left to clean.
                    }
                }
            }
        }

        // Throw-away servers: stopped together, with a short grace before SIGKILL (their state is deleted next).
        await Task.WhenAll(_started.Select(s => RunScriptAsync("stop.sh", [s.State, s.Pid.ToString()], throwOnError: false, stopTimeout: 3)));
        if (_root is not null)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a server that is going away; the temp folder is the OS's to clean.
            }
        }
    }

    public static async Task<string> RunScriptAsync(string script, string[]? args = null, bool throwOnError = true, int? stopTimeout = null)
    {
        var psi = new ProcessStartInfo("bash", [Path.Combine(Tools, script), .. args ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (stopTimeout is { } t)
        {
            psi.Environment["CLICKHOUSE_STOP_TIMEOUT"] = t.ToString();
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException($"tools/clickhouse/{script} {string.Join(' ', args ?? [])} failed ({p.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A collection's handle on the shared servers.</summary>
public sealed class ClickHouseFixture : IAsyncLifetime
{
    public ClickHouseServers Servers { get; private set; } = null!;

    public async Task InitializeAsync() => Servers = await ClickHouseServers.AcquireAsync();

    public Task DisposeAsync() => ClickHouseServers.ReleaseAsync();
}

/// <summary>Tests on the single server mostly (run in parallel with <see cref="ClickHouseCollection2"/>).</summary>
[CollectionDefinition("clickhouse")]
public sealed class ClickHouseCollection : ICollectionFixture<ClickHouseFixture>;

/// <summary>Tests on the cluster mostly.</summary>
[CollectionDefinition("clickhouse-2")]
public sealed class ClickHouseCollection2 : ICollectionFixture<ClickHouseFixture>;
