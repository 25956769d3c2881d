namespace Dwcp.Cost.Anomalies;

/// <summary>
/// Synchronous in-process fan-out of batches to the current subscribers, shared by the cost and stream anomaly feeds.
/// A subscriber that throws does not stop the others; the errors are rethrown together afterwards.
/// </summary>
/// <typeparam name="T">The item type of a batch.</typeparam>
/// <param name="what">What the items are, for the error message (e.g. "anomaly feed").</param>
public sealed class FanOut<T>(string what)
{
    private readonly Lock _gate = new();
    private Action<IReadOnlyList<T>>[] _handlers = [];

    /// <summary>Hands the batch to every subscriber, in order of subscription.</summary>
    public void Publish(IReadOnlyList<T> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        List<Exception>? errors = null;
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(batch);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException($"An {what} subscriber failed; the other subscribers still received the batch.", errors);
        }
    }

    /// <summary>Receives every later <see cref="Publish"/>; dispose the result to stop.</summary>
    public IDisposable Subscribe(Action<IReadOnlyList<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private void Remove(Action<IReadOnlyList<T>> handler)
    {
        lock (_gate)
        {
            _handlers = _handlers.Where(h => h != handler).ToArray();
        }
    }

    private sealed class Subscription(FanOut<T> owner, Action<IReadOnlyList<T>> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
