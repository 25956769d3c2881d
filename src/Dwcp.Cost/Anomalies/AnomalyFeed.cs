namespace Dwcp.Cost.Anomalies;

/// <summary>In-process stream of newly detected anomalies (for a GraphQL subscription, a webhook, a log).</summary>
public interface IAnomalyFeed
{
    /// <summary>Hands new anomalies to every subscriber, in order. A subscriber that throws does not stop the others.</summary>
    void Publish(IReadOnlyList<StoreCostAnomaly> anomalies);

    /// <summary>Receives every later <see cref="Publish"/>; dispose the result to stop.</summary>
    IDisposable Subscribe(Action<IReadOnlyList<StoreCostAnomaly>> handler);
}

/// <summary>The default <see cref="IAnomalyFeed"/>: synchronous fan-out to the current subscribers.</summary>
public sealed class AnomalyFeed : IAnomalyFeed
{
    private readonly object _gate = new();
    private Action<IReadOnlyList<StoreCostAnomaly>>[] _handlers = [];

    /// <inheritdoc />
    public void Publish(IReadOnlyList<StoreCostAnomaly> anomalies)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        if (anomalies.Count == 0)
        {
            return;
        }

        List<Exception>? errors = null;
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(anomalies);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("An anomaly feed subscriber failed; the other subscribers still received the anomalies.", errors);
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<IReadOnlyList<StoreCostAnomaly>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private void Remove(Action<IReadOnlyList<StoreCostAnomaly>> handler)
    {
        lock (_gate)
        {
            _handlers = _handlers.Where(h => h != handler).ToArray();
        }
    }

    private sealed class Subscription(AnomalyFeed feed, Action<IReadOnlyList<StoreCostAnomaly>> handler) : IDisposable
    {
        public void Dispose() => feed.Remove(handler);
    }
}
