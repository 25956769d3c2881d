using Dwcp.Streaming;
using Dwcp.Streaming.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>Counts the engine subscriptions that GraphQL <c>streamMetrics</c> holds open (shown by <c>streamStats</c>).</summary>
internal sealed class StreamSubscriptionCounter
{
    private long _active;

    public long Active => Interlocked.Read(ref _active);

    public void Opened() => Interlocked.Increment(ref _active);

    public void Closed() => Interlocked.Decrement(ref _active);
}

/// <summary>
/// The source stream of <c>streamMetrics</c>. Each GraphQL subscriber gets its own engine subscription (bounded queue,
/// oldest dropped when the client is slow) when it subscribes, and loses it when it disposes; the trend memory is seeded
/// from the engine's closed-window history right after subscribing, so the first window streamed already has a trend.
/// </summary>
internal sealed class StreamMetricsFeed(RealtimeEngine engine, StreamSelection selection, StreamSubscriptionCounter counter) : IObservable<StreamMetricView>
{
    public IDisposable Subscribe(IObserver<StreamMetricView> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = engine.Subscribe(filter: selection.Filter);
        counter.Opened();
        var handle = new Handle(subscription, counter);
        var book = new TrendBook();
        selection.Seed(book, engine.QueryClosedWindows(selection.Filter));
        _ = PumpAsync(subscription, book, observer, handle.Token);
        return handle;
    }

    private async Task PumpAsync(WindowSubscription subscription, TrendBook book, IObserver<StreamMetricView> observer, CancellationToken cancellationToken)
    {
        await Task.Yield(); // never run the observer inside Subscribe
        var views = new List<StreamMetricView>();
        try
        {
            await foreach (var window in subscription.ReadAllAsync(cancellationToken))
            {
                views.Clear();
                selection.AddViews(window, book, views);
                foreach (var view in views)
                {
                    observer.OnNext(view);
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                observer.OnCompleted(); // the engine stopped
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // unsubscribed
        }
#pragma warning disable CA1031 // the observer is told; nothing else can handle it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            observer.OnError(ex);
        }
    }

    private sealed class Handle(WindowSubscription subscription, StreamSubscriptionCounter counter) : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private int _disposed;

        public CancellationToken Token => _cts.Token;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _cts.Cancel();
                subscription.Dispose();
                counter.Closed();
                _cts.Dispose();
            }
        }
    }
}

/// <summary>
/// Ingest rate from the accepted counter, sampled on each <c>streamStats</c> call with the injected clock. The rate is
/// measured from the latest sample at least 10 s old (or the oldest kept) to now; null on the first call or when the
/// base sample is less than 0.5 s old.
/// </summary>
internal sealed class StreamRateMeter(TimeProvider time)
{
    private static readonly long Span = TimeSpan.FromSeconds(10).Ticks;
    private static readonly long MinSpan = TimeSpan.FromMilliseconds(500).Ticks;
    private static readonly long MinSpacing = TimeSpan.FromMilliseconds(100).Ticks;
    private readonly List<(long Ticks, long Accepted)> _samples = [];
    private readonly Lock _lock = new();

    public (double? Rate, double Seconds) Sample(long accepted)
    {
        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            while (_samples.Count >= 2 && _samples[1].Ticks <= now - Span)
            {
                _samples.RemoveAt(0);
            }

            (double?, double) result = (null, 0);
            if (_samples.Count > 0 && now - _samples[0].Ticks >= MinSpan)
            {
                var seconds = TimeSpan.FromTicks(now - _samples[0].Ticks).TotalSeconds;
                result = ((accepted - _samples[0].Accepted) / seconds, seconds);
            }

            if (_samples.Count == 0 || now - _samples[^1].Ticks >= MinSpacing)
            {
                _samples.Add((now, accepted));
            }

            return result;
        }
    }
}

/// <summary>Quantiles of a Prometheus-style histogram, interpolated linearly inside the bucket (as <c>histogram_quantile</c>).</summary>
internal static class HistogramQuantile
{
    /// <summary>The <paramref name="q"/> quantile in milliseconds; null without observations. In the +Inf bucket it is the
    /// largest finite bound.</summary>
    public static double? Milliseconds(HistogramSnapshot h, double q)
    {
        if (h.Count == 0)
        {
            return null;
        }

        var rank = q * h.Count;
        for (var i = 0; i < h.UpperBoundsSeconds.Count; i++)
        {
            if (h.CumulativeCounts[i] < rank)
            {
                continue;
            }

            var lower = i == 0 ? 0 : h.UpperBoundsSeconds[i - 1];
            var upper = h.UpperBoundsSeconds[i];
            if (double.IsPositiveInfinity(upper))
            {
                return lower * 1000;
            }

            var below = i == 0 ? 0 : h.CumulativeCounts[i - 1];
            var inBucket = h.CumulativeCounts[i] - below;
            var fraction = inBucket == 0 ? 1 : (rank - below) / inBucket;
            return (lower + ((upper - lower) * fraction)) * 1000;
        }

        return h.UpperBoundsSeconds.Where(b => !double.IsPositiveInfinity(b)).DefaultIfEmpty(0).Max() * 1000;
    }
}

/// <summary>Registration of the streaming GraphQL services.</summary>
public static class StreamGraphServices
{
    /// <summary>Adds what <c>streamMetrics</c>, <c>streamWindows</c> and <c>streamStats</c> need (the subscription counter
    /// and the ingest-rate meter); the graph types come with <c>AddGraphTypes</c>.</summary>
    /// <param name="services">The container.</param>
    /// <returns>The container.</returns>
    public static IServiceCollection AddDwcpStreamGraph(this IServiceCollection services)
    {
        services.AddSingleton<StreamSubscriptionCounter>();
        services.AddSingleton(sp => new StreamRateMeter(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new GraphQLWebSocketOptions());
        return services;
    }
}
