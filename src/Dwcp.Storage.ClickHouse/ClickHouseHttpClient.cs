using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// A small client for ClickHouse's HTTP interface (works with 18.16, which the official .NET driver does not): SQL in
/// the POST body, data in and out as TabSeparated, settings as query-string parameters. Every failure becomes a
/// <see cref="StoreException"/> that names the server URL and, for server errors, carries ClickHouse's own message.
/// </summary>
internal sealed partial class ClickHouseHttpClient : IDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    private readonly HttpClient _http;
    private readonly string _baseQuery;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a client for one server. <paramref name="database"/> null means the server's default database.</summary>
    public ClickHouseHttpClient(Uri url, string? database, ClickHouseStoreOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        Url = new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        _timeout = options.QueryTimeout;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            BaseAddress = Url,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var auth = Convert.ToBase64String(Utf8.GetBytes(options.User + ":" + (options.Password ?? "")));
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", auth);

        var settings = new Dictionary<string, string>(options.Settings, StringComparer.Ordinal);
        if (!settings.ContainsKey("max_execution_time"))
        {
            settings["max_execution_time"] = Math.Max(1, (long)Math.Ceiling(options.QueryTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (database is not null)
        {
            settings["database"] = database;
        }

        _baseQuery = string.Join('&', settings.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + Uri.EscapeDataString(kv.Value)));
    }

    /// <summary>The server's HTTP URL (no credentials), used in every error message.</summary>
    public Uri Url { get; }

    /// <summary>Runs a statement that returns no rows (DDL, ALTER, INSERT … SELECT).</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        using var response = await SendAsync(sql, Query(settings, waitEnd: true), new StringContent(sql, Utf8), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query and returns its rows as decoded TabSeparated fields (NULL as null).</summary>
    public async Task<List<string?[]>> QueryAsync(string sql, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var rows = new List<string?[]>();
        await foreach (var row in StreamAsync(sql, expectedColumns: null, cancellationToken, settings, waitEnd: true).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// Streams a query's rows. ClickHouse reports an error that happens after the first rows were sent by appending
    /// its message to the body; a line that is not a row of <paramref name="expectedColumns"/> fields is read as that.
    /// </summary>
    public async IAsyncEnumerable<string?[]> StreamAsync(
        string sql,
        int? expectedColumns,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null,
        bool waitEnd = false,
        IReadOnlySet<int>? rawColumns = null)
    {
        var text = sql.TrimEnd().TrimEnd(';') + "\nFORMAT TabSeparated";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var response = await SendAsync(text, Query(settings, waitEnd), new StringContent(text, Utf8), HttpCompletionOption.ResponseHeadersRead, cancellationToken, timeout).ConfigureAwait(false);
        Stream stream;
        try
        {
            stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            throw Translate(ex, sql, cancellationToken);
        }

        await using (stream.ConfigureAwait(false))
        {
            var reader = new TsvLineReader(stream);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
                {
                    throw Translate(ex, sql, cancellationToken);
                }

                if (line is null)
                {
                    yield break;
                }

                var fields = Split(line, rawColumns);
                if (expectedColumns is { } n && fields.Length != n)
                {
                    if (ServerError().IsMatch(line))
                    {
                        throw ServerFailure(line + await reader.ReadToEndAsync(timeout.Token).ConfigureAwait(false), sql);
                    }

                    throw new StoreException($"ClickHouse at {Url} returned a row of {fields.Length} fields where {n} were expected (query: {Short(sql)}).");
                }

                yield return fields;
            }
        }
    }

    /// <summary>Runs <c>INSERT … FORMAT TabSeparated</c> with <paramref name="body"/> as the data.</summary>
    public async Task InsertAsync(string insertSql, HttpContent body, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var text = insertSql + " FORMAT TabSeparated";
        var query = Query(settings, waitEnd: true) + "&query=" + Uri.EscapeDataString(text);
        using var response = await SendAsync(text, query, body, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks that the server answers <c>GET /ping</c>.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.GetAsync(new Uri("ping", UriKind.Relative), timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || !body.StartsWith("Ok.", StringComparison.Ordinal))
            {
                throw new StoreException($"The server at {Url} answered /ping with {(int)response.StatusCode} '{Short(body)}'; is it a ClickHouse HTTP port?");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            throw Translate(ex, "GET /ping", cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private string Query(IReadOnlyDictionary<string, string>? settings, bool waitEnd)
    {
        var sb = new StringBuilder(_baseQuery);
        if (waitEnd)
        {
            // The server buffers the answer, so an error during the query is an HTTP error and not a truncated body.
            // It also sends the answer in one piece: a streamed answer ends with a small separate write that costs a
            // delayed-ACK round (~40 ms) per request on Linux.
            sb.Append(sb.Length > 0 ? "&" : "").Append("wait_end_of_query=1");
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            sb.Append(sb.Length > 0 ? "&" : "").Append(k).Append('=').Append(Uri.EscapeDataString(v));
        }

        return sb.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(
        string sql, string query, HttpContent content, HttpCompletionOption completion, CancellationToken cancellationToken, CancellationTokenSource? timeout = null)
    {
        using var own = timeout is null ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        own?.CancelAfter(_timeout);
        var token = (timeout ?? own)!.Token;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("?" + query, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            throw Translate(ex, sql, cancellationToken);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                throw Translate(ex, sql, cancellationToken);
            }

            throw response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && !ServerError().IsMatch(body)
                ? new StoreException($"ClickHouse at {Url} refused the credentials ({(int)response.StatusCode}); check the user and password.")
                : ServerFailure(body, sql);
        }
    }

    /// <summary>Maps a transport failure: caller cancellation stays a cancellation; the rest name the URL.</summary>
    private Exception Translate(Exception ex, string sql, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The ClickHouse request was cancelled.", ex, cancellationToken);
        }

        if (ex is OperationCanceledException)
        {
            return new StoreException(
                $"ClickHouse at {Url} did not answer within {_timeout.TotalSeconds:0.###} s (query: {Short(sql)}). " +
                "Narrow the query or raise the query time-out.", ex);
        }

        return new StoreException(
            $"Cannot reach ClickHouse at {Url}: {ex.Message} Check that the server is running and that the URL and port are right.", ex);
    }

    /// <summary>A server error body (18.16: <c>Code: 60, e.displayText() = DB::Exception: …</c>; newer: <c>Code: 60. DB::Exception: …</c>).</summary>
    internal StoreException ServerFailure(string body, string sql)
    {
        var error = ParseError(body);
        return new StoreException($"ClickHouse at {Url} failed{(error.Code is { } c ? $" with code {c}" : "")}: {error.Message} (query: {Short(sql)})");
    }

    /// <summary>Extracts the error code and message from a ClickHouse error body.</summary>
    internal static (int? Code, string Message) ParseError(string body)
    {
        var m = ErrorParts().Match(body);
        if (!m.Success)
        {
            return (null, Short(body.Trim()));
        }

        var message = m.Groups["msg"].Value.Trim();
        const string prefix = "DB::Exception: ";
        if (message.StartsWith(prefix, StringComparison.Ordinal))
        {
            message = message[prefix.Length..];
        }

        return (int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture), Short(message));
    }

    /// <summary>
    /// Splits a TabSeparated line and decodes its fields, except <paramref name="rawColumns"/>: ClickHouse writes an
    /// array's text form (<c>['a\'b']</c>) into a field without a second level of escaping, so it is parsed as is.
    /// </summary>
    private static string?[] Split(string line, IReadOnlySet<int>? rawColumns)
    {
        var count = 1;
        foreach (var ch in line)
        {
            if (ch == '\t')
            {
                count++;
            }
        }

        var fields = new string?[count];
        var span = line.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var tab = span.IndexOf('\t');
            var part = tab < 0 ? span : span[..tab];
            fields[i] = rawColumns is not null && rawColumns.Contains(i) ? part.ToString() : ClickHouseText.ReadField(part);
            span = tab < 0 ? [] : span[(tab + 1)..];
        }

        return fields;
    }

    internal static string Short(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 300 ? oneLine : string.Concat(oneLine.AsSpan(0, 300), "…");
    }

    [GeneratedRegex(@"^Code: \d+")]
    private static partial Regex ServerError();

    [GeneratedRegex(@"Code: (?<code>\d+)(?:, e\.displayText\(\) = |\. )(?<msg>.*?)(?:, e\.what\(\) = .*|\s*\(version .*\)\s*)?$", RegexOptions.Singleline)]
    private static partial Regex ErrorParts();
}
