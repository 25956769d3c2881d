using System.Buffers;
using System.Text;
using System.Text.Json;
using GraphQL;

namespace Dwcp.Server;

/// <summary>Message encoding and the per-operation state of a <see cref="GraphQLWebSocketSession"/>.</summary>
internal sealed partial class GraphQLWebSocketSession
{
    private static byte[] Message(string type, string? id, string? payloadJson)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (id is not null)
            {
                w.WriteString("id", id);
            }

            w.WriteString("type", type);
            if (payloadJson is not null)
            {
                w.WritePropertyName("payload");
                w.WriteRawValue(payloadJson, skipInputValidation: true);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Close reasons are limited to 123 UTF-8 bytes.</summary>
    private static string Truncate(string reason) => Encoding.UTF8.GetByteCount(reason) <= 120 ? reason : reason[..60] + "…";

    /// <summary>One subscribe id: its cancellation and, for a subscription, the stream subscription.</summary>
    private sealed class Operation
    {
        private readonly CancellationTokenSource _cts;
        private IDisposable? _subscription;

        public Operation(string id, CancellationToken session)
        {
            Id = id;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(session);
            Token = _cts.Token; // taken once: stays usable after the source is disposed
        }

        public string Id { get; }

        public CancellationToken Token { get; }

        public Lock Gate { get; } = new();

        public bool Stopped { get; private set; }

        public void Attach(IDisposable subscription)
        {
            lock (Gate)
            {
                if (!Stopped)
                {
                    _subscription = subscription;
                    return;
                }
            }

            subscription.Dispose(); // completed by the client while it was being set up
        }

        public void Stop()
        {
            IDisposable? subscription;
            lock (Gate)
            {
                if (Stopped)
                {
                    return;
                }

                Stopped = true;
                subscription = _subscription;
                _subscription = null;
            }

            _cts.Cancel();
            subscription?.Dispose();
            _cts.Dispose();
        }
    }

    private sealed class Observer(GraphQLWebSocketSession session, Operation op) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => session.SendFor(op, "next", session.Serialize(value));

        public void OnError(Exception error)
        {
            session.SendFor(op, "error", session.ErrorsJson([error as ExecutionError ?? new ExecutionError("The event stream failed: " + error.Message)]));
            session.Finish(op);
        }

        public void OnCompleted()
        {
            session.SendFor(op, "complete", null);
            session.Finish(op);
        }
    }
}
