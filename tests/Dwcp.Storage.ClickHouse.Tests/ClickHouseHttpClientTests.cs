using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The HTTP client against a real server: error mapping, settings, time-outs, cancellation, unreachable servers, encoding.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseHttpClientTests(ClickHouseFixture fixture)
{
    private ClickHouseHttpClient Client(Action<Dictionary<string, string>>? settings = null, TimeSpan? timeout = null, Uri? url = null)
    {
        var s = new Dictionary<string, string>(StringComparer.Ordinal);
        settings?.Invoke(s);
        var options = new ClickHouseStoreOptions { Urls = [url ?? fixture.Servers.Single], Settings = s, QueryTimeout = timeout ?? TimeSpan.FromSeconds(30) };
        return new ClickHouseHttpClient(url ?? fixture.Servers.Single, null, options);
    }

    [Fact]
    public async Task A_server_error_carries_its_code_message_the_query_and_the_url()
    {
        using var c = Client();
        var ex = await Assert.ThrowsAsync<StoreException>(() => c.QueryAsync("SELECT no_such_column FROM system.one", default));
        Assert.Contains($"ClickHouse at {fixture.Servers.Single.AbsoluteUri}", ex.Message);
        Assert.Contains("code 47", ex.Message);
        Assert.Contains("no_such_column", ex.Message);
        Assert.Contains("query: SELECT no_such_column", ex.Message);
        Assert.DoesNotContain("e.what()", ex.Message);
    }

    [Theory]
    [InlineData("Code: 60, e.displayText() = DB::Exception: Table dwcp.nope doesn't exist., e.what() = DB::Exception\n", 60, "Table dwcp.nope doesn't exist.")]
    [InlineData("Code: 60. DB::Exception: Table dwcp.nope does not exist. (UNKNOWN_TABLE) (version 24.3.2.23 (official build))\n", 60, "Table dwcp.nope does not exist. (UNKNOWN_TABLE)")]
    [InlineData("Proxy error: upstream closed", null, "Proxy error: upstream closed")]
    public void Error_bodies_of_old_and_current_servers_are_parsed(string body, int? code, string message)
    {
        var (c, m) = ClickHouseHttpClient.ParseError(body);
        Assert.Equal(code, c);
        Assert.Equal(message, m);
    }

    [Fact]
    public async Task Options_settings_reach_the_server_as_query_settings_and_the_timeout_becomes_max_execution_time()
    {
        using var c = Client(s => { s["max_threads"] = "3"; s["max_memory_usage"] = "123456789"; }, TimeSpan.FromSeconds(42));
        var rows = await c.QueryAsync("SELECT name, value FROM system.settings WHERE name IN ('max_threads', 'max_memory_usage', 'max_execution_time') ORDER BY name", default);
        Assert.Equal(["max_execution_time=42", "max_memory_usage=123456789", "max_threads=3"], rows.Select(r => $"{r[0]}={r[1]}"));
    }

    [Fact]
    public async Task A_memory_limit_setting_is_enforced_by_the_server()
    {
        using var c = Client(s => s["max_memory_usage"] = "1000");
        var ex = await Assert.ThrowsAsync<StoreException>(() => c.QueryAsync("SELECT groupArray(number) FROM numbers(100000)", default));
        Assert.Contains("code 241", ex.Message);
        Assert.Contains("Memory limit", ex.Message);
    }

    [Fact]
    public async Task A_query_over_max_execution_time_is_stopped_by_the_server()
    {
        // An endless query: only the server's limit can end it.
        using var c = Client(s => s["max_execution_time"] = "1");
        var ex = await Assert.ThrowsAsync<StoreException>(() => c.QueryAsync("SELECT count() FROM system.numbers", default));
        Assert.Contains("code 159", ex.Message);
        Assert.Contains("Timeout exceeded", ex.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_with_the_url_in_the_message()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        using var c = Client(timeout: TimeSpan.FromMilliseconds(300), url: url);
        var ex = await Assert.ThrowsAsync<StoreException>(() => c.QueryAsync("SELECT 1", default));
        Assert.Contains($"ClickHouse at {url.AbsoluteUri} did not answer within 0.3 s", ex.Message);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_stays_a_cancellation()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        using var c = Client(url: url);
        using var cts = new CancellationTokenSource();
        var query = c.QueryAsync("SELECT 1", cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
    }

    [Fact]
    public async Task Opening_a_store_on_a_port_where_nothing_listens_names_the_url_and_never_falls_back()
    {
        var port = ClickHouseServers.FreePort();
        var ex = await Assert.ThrowsAsync<StoreException>(() => ClickHouseCostStore.OpenAsync(new ClickHouseStoreOptions { Urls = [new Uri($"http://127.0.0.1:{port}")] }));
        Assert.StartsWith($"Cannot reach ClickHouse at http://127.0.0.1:{port}/", ex.Message);
        Assert.Contains("Check that the server is running", ex.Message);
    }

    [Fact]
    public async Task Opening_a_sharded_store_with_one_shard_down_names_that_shard()
    {
        var dead = new Uri($"http://127.0.0.1:{ClickHouseServers.FreePort()}");
        var options = new ClickHouseStoreOptions { Urls = [fixture.Servers.ShardUrls[0], dead], Shards = 2, Database = fixture.Servers.NewDatabase() };
        var ex = await Assert.ThrowsAsync<StoreException>(() => ClickHouseCostStore.OpenAsync(options));
        Assert.Contains(dead.AbsoluteUri, ex.Message);
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_with_the_servers_reason()
    {
        var options = new ClickHouseStoreOptions { Urls = [fixture.Servers.Single], Password = "not-the-password" };
        using var c = new ClickHouseHttpClient(fixture.Servers.Single, null, options);
        var ex = await Assert.ThrowsAsync<StoreException>(() => c.QueryAsync("SELECT 1", default));
        Assert.Contains("password", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(fixture.Servers.Single.AbsoluteUri, ex.Message);
    }

    [Fact]
    public async Task Text_with_every_escape_round_trips_through_insert_and_select()
    {
        string?[] texts = ["plain", "", null, "tab\there", "nl\nx", "cr\rx", "back\\slash", "quote'single", "quote\"double", "nul\0byte", "\b\f", "\\N", "NULL", "日本語 🙂", "['a','b']"];
        var db = fixture.Servers.NewDatabase();
        using var admin = Client();
        await admin.ExecuteAsync($"CREATE DATABASE {db}", default);
        await admin.ExecuteAsync($"CREATE TABLE {db}.t (i UInt32, s Nullable(String), a Array(String)) ENGINE = Memory", default);
        var body = new StringBuilder();
        using (var w = new StringWriter(body) { NewLine = "\n" })
        {
            for (var i = 0; i < texts.Length; i++)
            {
                w.Write(i);
                w.Write('\t');
                ClickHouseText.WriteField(w, texts[i]);
                w.Write('\t');
                ClickHouseText.WriteArray(w, texts.Where(t => t is not null).Skip(i).Take(3)!);
                w.Write('\n');
            }
        }

        using var content = new StringContent(body.ToString(), new UTF8Encoding(false));
        await admin.InsertAsync($"INSERT INTO {db}.t", content, default);
        var rows = await admin.StreamAsync($"SELECT i, s, a, length(s) FROM {db}.t ORDER BY i", 4, default, rawColumns: new HashSet<int> { 2 }).ToListAsync();
        Assert.Equal(texts.Length, rows.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(texts[i], rows[i][1]);
            Assert.Equal(texts.Where(t => t is not null).Skip(i).Take(3), ClickHouseText.ReadArray(rows[i][2]));
            // The server's own byte length agrees: nothing was altered on the way in.
            Assert.Equal(texts[i] is null ? null : Encoding.UTF8.GetByteCount(texts[i]!).ToString(), rows[i][3]);
        }

        // Literals take the same escapes.
        foreach (var t in texts.Where(t => t is not null))
        {
            var back = await admin.QueryAsync($"SELECT {ClickHouseText.Literal(t)}", default);
            Assert.Equal(t, back.Single()[0]);
        }
    }

    [Theory]
    [InlineData(new string[0], "no URL")]
    [InlineData(new[] { "ftp://x" }, "not an absolute http")]
    public void Options_with_no_or_bad_urls_are_refused_with_the_reason(string[] urls, string expected)
    {
        var options = new ClickHouseStoreOptions { Urls = urls.Select(u => new Uri(u)).ToList() };
        Assert.Contains(expected, options.Validate());
    }

    [Fact]
    public void Options_are_checked_for_shard_count_database_and_setting_names()
    {
        var ok = new ClickHouseStoreOptions { Urls = [new Uri("http://a:1"), new Uri("http://b:1")], Shards = 2 };
        Assert.Null(ok.Validate());
        Assert.Contains("2 URL(s) for 1 shard(s)", (ok with { Shards = 1 }).Validate());
        Assert.Contains("database name 'x-y'", (ok with { Database = "x-y" }).Validate());
        Assert.Contains("setting name 'Max Threads'", (ok with { Settings = new Dictionary<string, string> { ["Max Threads"] = "1" } }).Validate());
        Assert.Contains("same server twice", (ok with { Urls = [new Uri("http://a:1"), new Uri("http://a:1/x")] }).Validate());
    }
}
