using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dwcp.Server;

/// <summary>Limits of the GraphQL WebSocket endpoint.</summary>
public sealed record GraphQLWebSocketOptions
{
    /// <summary>Time a client has to send <c>connection_init</c> before the socket is closed with 4408 (default 10 s).</summary>
    public TimeSpan ConnectionInitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest client message in bytes; bigger closes with 1009 (default 1 MiB).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>Messages waiting to be sent before a too-slow client is closed with 1008 (default 10,000).</summary>
    public int MaxQueuedMessages { get; init; } = 10_000;
}

/// <summary>
/// GraphQL over WebSocket at <c>/graphql</c> with the <c>graphql-transport-ws</c> protocol: connection_init →
/// connection_ack, ping/pong, subscribe → next… then complete (or error), complete from the client. Several operations
/// share one socket; closing it disposes all of them. Close codes: 4400 bad message, 4401 subscribe before ack,
/// 4408 no connection_init in time, 4409 duplicate id, 4429 second connection_init. See docs/api.md.
/// </summary>
public static class GraphQLWebSocket
{
    /// <summary>The only subprotocol accepted.</summary>
    public const string SubProtocol = "graphql-transport-ws";

    /// <summary>Serves WebSocket requests to <paramref name="path"/>; other requests pass on (to the HTTP endpoint).
    /// Needs <c>UseWebSockets()</c> before it.</summary>
    /// <param name="app">The application.</param>
    /// <param name="path">The GraphQL path.</param>
    /// <returns>The application.</returns>
    public static IApplicationBuilder UseDwcpGraphQLWebSockets(this IApplicationBuilder app, string path = "/graphql") =>
        app.Use(async (http, next) =>
        {
            if (!http.WebSockets.IsWebSocketRequest || !http.Request.Path.Equals(path, StringComparison.Ordinal))
            {
                await next(http);
                return;
            }

            if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsJsonAsync(new ApiError("BAD_REQUEST",
                    $"A WebSocket to {path} must ask for the subprotocol '{SubProtocol}' (Sec-WebSocket-Protocol); no other protocol is served."));
                return;
            }

            using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
            var services = http.RequestServices;
            using var session = new GraphQLWebSocketSession(socket, http,
                services.GetRequiredService<IDocumentExecuter<ISchema>>(), services.GetRequiredService<IGraphQLTextSerializer>(),
                services.GetService<GraphQLWebSocketOptions>() ?? new GraphQLWebSocketOptions(), services.GetRequiredService<TimeProvider>());
            // On shutdown, close with 1001 so clients reconnect to the next server instead of holding the host's stop.
            using var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(session.ServerStopping);
            await session.RunAsync();
        });
}

/// <summary>One socket: a receive loop (here), a send loop (one writer to the socket) and the running operations.</summary>
internal sealed partial class GraphQLWebSocketSession(WebSocket socket, HttpContext http, IDocumentExecuter<ISchema> executer,
    IGraphQLTextSerializer serializer, GraphQLWebSocketOptions options, TimeProvider time) : IDisposable
{
    private readonly Channel<(byte[]? Text, WebSocketCloseStatus Status, string? Reason)> _outbound =
        Channel.CreateUnbounded<(byte[]?, WebSocketCloseStatus, string?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _executions = [];
    private readonly Lock _lock = new();
    private int _initialised;
    private int _closing;
    private int _queued;

    public async Task RunAsync()
    {
        var sender = SendLoopAsync();
        var initTimeout = InitTimeoutAsync();
        try
        {
            await ReceiveLoopAsync(_cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // the client went away, or did not answer our close in time
        }
        finally
        {
            Task[] running;
            lock (_lock)
            {
                foreach (var op in _operations.Values)
                {
                    op.Stop();
                }

                _operations.Clear();
                running = [.. _executions];
            }

            _outbound.Writer.TryComplete();
            _cts.CancelAfter(TimeSpan.FromSeconds(5)); // a client that stopped reading cannot hold the send loop
            await sender;
            await _cts.CancelAsync();
            await Task.WhenAll(running.Append(initTimeout));
        }
    }

    public void Dispose() => _cts.Dispose();

    /// <summary>The host is stopping: close with 1001 (going away) after what is already queued.</summary>
    public void ServerStopping() => Close(WebSocketCloseStatus.EndpointUnavailable, "The server is stopping");

    /// <summary>Reads messages until the client's close frame. After the server queued a close, messages are ignored
    /// while it waits for the client's close (the send loop stops the wait after a grace period).</summary>
    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            message.Clear();
            ValueWebSocketReceiveResult received;
            var tooBig = false;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    Close(WebSocketCloseStatus.NormalClosure, null);
                    return;
                }

                tooBig |= message.WrittenCount + received.Count > options.MaxMessageBytes;
                if (!tooBig)
                {
                    message.Write(buffer.AsSpan(0, received.Count));
                }
            }
            while (!received.EndOfMessage);

            if (Volatile.Read(ref _closing) != 0)
            {
                continue;
            }

            if (tooBig)
            {
                Close(WebSocketCloseStatus.MessageTooBig, $"Message over {options.MaxMessageBytes} bytes");
            }
            else if (received.MessageType != WebSocketMessageType.Text)
            {
                Close((WebSocketCloseStatus)4400, "Invalid message received: binary frame; send JSON text");
            }
            else
            {
                Handle(message.WrittenSpan);
            }
        }
    }

    /// <summary>Handles one client message; false when it closed the socket.</summary>
    private bool Handle(ReadOnlySpan<byte> text)
    {
        string? type, id;
        JsonElement payload;
        try
        {
            using var doc = JsonDocument.Parse(text.ToArray());
            var root = doc.RootElement;
            type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            payload = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("payload", out var p) ? p.Clone() : default;
        }
        catch (JsonException)
        {
            return Close((WebSocketCloseStatus)4400, "Invalid message received: not JSON");
        }

        switch (type)
        {
            case "connection_init":
                if (Interlocked.Exchange(ref _initialised, 1) != 0)
                {
                    return Close((WebSocketCloseStatus)4429, "Too many initialisation requests");
                }

                Send(Message("connection_ack", null, null));
                return true;
            case "ping":
                Send(Message("pong", null, payload.ValueKind == JsonValueKind.Object ? payload.GetRawText() : null));
                return true;
            case "pong":
                return true;
            case "subscribe":
                return Subscribe(id, payload);
            case "complete":
                if (string.IsNullOrEmpty(id))
                {
                    return Close((WebSocketCloseStatus)4400, "Invalid message received: complete needs an id");
                }

                Operation? done;
                lock (_lock)
                {
                    _operations.Remove(id, out done);
                }

                done?.Stop();
                return true;
            default:
                return Close((WebSocketCloseStatus)4400, Truncate($"Invalid message received: unknown type '{type}'"));
        }
    }

    private bool Subscribe(string? id, JsonElement payload)
    {
        if (Volatile.Read(ref _initialised) == 0)
        {
            return Close((WebSocketCloseStatus)4401, "Unauthorized: send connection_init first");
        }

        if (string.IsNullOrEmpty(id))
        {
            return Close((WebSocketCloseStatus)4400, "Invalid message received: subscribe needs an id");
        }

        GraphQLRequest? request = null;
        try
        {
            request = payload.ValueKind == JsonValueKind.Object ? serializer.Deserialize<GraphQLRequest>(payload.GetRawText()) : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or NotSupportedException or InvalidOperationException)
        {
            // reported below
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Query))
        {
            return Close((WebSocketCloseStatus)4400, "Invalid message received: subscribe payload needs a query");
        }

        var op = new Operation(id, _cts.Token);
        lock (_lock)
        {
            if (!_operations.TryAdd(id, op))
            {
                op.Stop();
                return Close((WebSocketCloseStatus)4409, Truncate($"Subscriber for {id} already exists"));
            }

            var task = ExecuteAsync(op, request);
            if (!task.IsCompleted)
            {
                _executions.Add(task);
                _ = task.ContinueWith(t => { lock (_lock) { _executions.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        return true;
    }

    private async Task ExecuteAsync(Operation op, GraphQLRequest request)
    {
        await Task.Yield(); // leave the receive loop free
        try
        {
            await ExecuteCoreAsync(op, request);
        }
#pragma warning disable CA1031 // reported to the client as the operation's error; the socket stays up
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SendFor(op, "error", ErrorsJson([new ExecutionError("The operation failed: " + ex.Message)]));
            Finish(op);
        }
    }

    private async Task ExecuteCoreAsync(Operation op, GraphQLRequest request)
    {
        ExecutionResult result;
        try
        {
            result = await executer.ExecuteAsync(new ExecutionOptions
            {
                Query = request.Query,
                OperationName = request.OperationName,
                Variables = request.Variables,
                Extensions = request.Extensions,
                RequestServices = http.RequestServices,
                CancellationToken = op.Token,
                ThrowOnUnhandledException = false,
            });
        }
        catch (OperationCanceledException) when (op.Token.IsCancellationRequested)
        {
            return;
        }

        if (result.Streams is { Count: > 0 } streams)
        {
            op.Attach(streams.Values.First().Subscribe(new Observer(this, op)));
            return;
        }

        if (!result.Executed || result.Operation?.Operation == OperationType.Subscription)
        {
            var errors = result.Errors is { Count: > 0 } e ? e : [new ExecutionError("The subscription produced no event stream.")];
            SendFor(op, "error", ErrorsJson(errors));
        }
        else
        {
            SendFor(op, "next", serializer.Serialize(result));
            SendFor(op, "complete", null);
        }

        Finish(op);
    }

    private string Serialize(ExecutionResult result) => serializer.Serialize(result);

    private string ErrorsJson(ExecutionErrors errors)
    {
        using var doc = JsonDocument.Parse(serializer.Serialize(new ExecutionResult { Errors = errors }));
        return doc.RootElement.TryGetProperty("errors", out var list) ? list.GetRawText() : "[]";
    }

    /// <summary>Sends a message of an operation unless the client completed it (checked under the operation's lock).</summary>
    private void SendFor(Operation op, string type, string? payload)
    {
        lock (op.Gate)
        {
            if (!op.Stopped)
            {
                Send(Message(type, op.Id, payload));
            }
        }
    }

    /// <summary>The server ended an operation (complete or error sent): its id may be used again.</summary>
    private void Finish(Operation op)
    {
        lock (_lock)
        {
            if (_operations.TryGetValue(op.Id, out var current) && current == op)
            {
                _operations.Remove(op.Id);
            }
        }

        op.Stop();
    }

    private void Send(byte[] message)
    {
        if (Volatile.Read(ref _closing) != 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _queued) > options.MaxQueuedMessages)
        {
            Close(WebSocketCloseStatus.PolicyViolation, $"Client too slow: over {options.MaxQueuedMessages} messages queued");
            return;
        }

        _outbound.Writer.TryWrite((message, default, null));
    }

    /// <summary>Queues a close frame (once) after what is already queued; always false, for "stop handling".</summary>
    private bool Close(WebSocketCloseStatus status, string? reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
        {
            _outbound.Writer.TryWrite((null, status, reason));
        }

        return false;
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var (text, status, reason) in _outbound.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (text is null)
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(status, reason, _cts.Token);
                    }

                    _cts.CancelAfter(TimeSpan.FromSeconds(2)); // grace for the client's close frame, then stop receiving
                    return;
                }

                await socket.SendAsync(text.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, _cts.Token);
                Interlocked.Decrement(ref _queued);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            await _cts.CancelAsync(); // the socket is gone: stop receiving too
        }
    }

    private async Task InitTimeoutAsync()
    {
        try
        {
            await Task.Delay(options.ConnectionInitTimeout, time, _cts.Token);
            if (Volatile.Read(ref _initialised) == 0)
            {
                Close((WebSocketCloseStatus)4408, "Connection initialisation timeout");
            }
        }
        catch (OperationCanceledException)
        {
            // the session ended first
        }
    }
}
