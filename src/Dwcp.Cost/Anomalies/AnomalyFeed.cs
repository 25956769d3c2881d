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
    private readonly FanOut<StoreCostAnomaly> _fanOut = new("anomaly feed");

    /// <inheritdoc />
    public void Publish(IReadOnlyList<StoreCostAnomaly> anomalies)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        if (anomalies.Count > 0)
        {
            _fanOut.Publish(anomalies);
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<IReadOnlyList<StoreCostAnomaly>> handler) => _fanOut.Subscribe(handler);
}
