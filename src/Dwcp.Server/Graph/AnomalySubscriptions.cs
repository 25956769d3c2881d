using Dwcp.Anomalies.Costs;
using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Cost.Anomalies;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>
/// Live anomaly subscriptions: <c>anomalyDetected</c> (new cost anomalies, as <c>detectAnomalies</c> returns them) and
/// <c>streamAnomalyDetected</c> (flagged closed windows of the real-time engine). See docs/api.md.
/// </summary>
public static class AnomalySubscriptions
{
    /// <summary>Adds the two fields to the root subscription type.</summary>
    public static void AddAnomalySubscriptions(this ObjectGraphType subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        subscription.Field<NonNullGraphType<CostAnomalyType>>("anomalyDetected")
            .Description("Each new cost anomaly once, as the server's checks find it (at start, after each import, every analytics.anomalies.check_interval). An id already published is never sent again, also not after a restart.")
            .Argument<AnomalySeverityEnum>("minSeverity", a => a.DefaultValue = AnomalySeverity.Low)
            .Argument<ListGraphType<NonNullGraphType<CloudProviderEnum>>>("providers", "Only these providers (default all).")
            .ResolveStream(ctx =>
            {
                var services = ctx.RequestServices!;
                var scope = StreamGraph.Scope(ctx);
                var min = ctx.GetArgument("minSeverity", AnomalySeverity.Low);
                var providers = ctx.GetArgument<List<CloudProvider>?>("providers") is { Count: > 0 } p ? p.ToHashSet() : null;
                var feed = services.GetRequiredService<IAnomalyFeed>();
                return new FeedObservable<StoreCostAnomaly>(
                    feed.Subscribe,
                    a => a.Anomaly.Severity >= min
                        && (providers is null || providers.Contains(CloudProviders.FromProviderName(a.Anomaly.Provider)))
                        && VisibleIn(scope, a),
                    services.GetRequiredService<AnomalySubscriptionCounter>());
            });

        subscription.Field<NonNullGraphType<StreamAnomalyType>>("streamAnomalyDetected")
            .Description("Each closed window of the real-time engine whose value the online detector flags at analytics.anomalies.fp_rate (one detector per metric × series × window size), and each window whose metrics together break their usual relationship (kind multivariate, metric \"multivariate\", with the metrics that drive it).")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("metricNames", "Only these metrics (default all); a multivariate anomaly passes when one of its drivers is listed, or \"multivariate\" is.")
            .Argument<AnomalySeverityEnum>("minSeverity", a => a.DefaultValue = AnomalySeverity.Low)
            .ResolveStream(ctx =>
            {
                _ = StreamGraph.Engine(ctx); // a clear error when the engine is not hosted here
                var services = ctx.RequestServices!;
                var scope = StreamGraph.Scope(ctx);
                var min = ctx.GetArgument("minSeverity", AnomalySeverity.Low);
                var metrics = ctx.GetArgument<List<string>?>("metricNames") is { Count: > 0 } m ? m.ToHashSet(StringComparer.Ordinal) : null;
                return new FeedObservable<StreamAnomaly>(
                    services.GetRequiredService<StreamAnomalyFeed>().Subscribe,
                    a => a.Severity >= min && (metrics is null || metrics.Contains(a.Metric) || (a.Drivers?.Any(d => metrics.Contains(d.Metric)) ?? false)) && StreamSelection.VisibleIn(scope, a.Series),
                    services.GetRequiredService<AnomalySubscriptionCounter>());
            });
    }

    /// <summary>Detection runs under the server's scope, which is every caller's; a per-account anomaly outside the
    /// caller's accounts is still dropped, so a narrower scope never sees more than its queries would.</summary>
    private static bool VisibleIn(CostScope scope, StoreCostAnomaly a) =>
        scope.BillingAccounts is not { } accounts || a.Anomaly.Account is not { } account || accounts.Contains(account);
}

/// <summary>Counts the open <c>anomalyDetected</c> and <c>streamAnomalyDetected</c> subscriptions.</summary>
internal sealed class AnomalySubscriptionCounter
{
    private long _active;

    public long Active => Interlocked.Read(ref _active);

    public void Opened() => Interlocked.Increment(ref _active);

    public void Closed() => Interlocked.Decrement(ref _active);
}

/// <summary>A feed as a GraphQL source stream: each subscriber gets the feed's later items that pass the filter, in order.</summary>
internal sealed class FeedObservable<T>(Func<Action<IReadOnlyList<T>>, IDisposable> subscribe, Func<T, bool> filter, AnomalySubscriptionCounter counter) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = subscribe(batch =>
        {
            foreach (var item in batch)
            {
                if (filter(item))
                {
                    observer.OnNext(item);
                }
            }
        });
        counter.Opened();
        return new Handle(subscription, counter);
    }

    private sealed class Handle(IDisposable subscription, AnomalySubscriptionCounter counter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                subscription.Dispose();
                counter.Closed();
            }
        }
    }
}

/// <summary>A flagged stream window.</summary>
public sealed class StreamAnomalyType : ObjectGraphType<StreamAnomaly>
{
    /// <summary>Declares the fields.</summary>
    public StreamAnomalyType()
    {
        Name = "StreamAnomaly";
        Description = "A closed window whose value the online detector flagged; expected is the median of the series' previous 30 values.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Stable id of the metric, series, window size and start.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("metric").Resolve(c => c.Source.Metric);
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.Series.EventType);
        Field<NonNullGraphType<StringGraphType>>("provider").Description("Empty when the engine does not group by it.").Resolve(c => c.Source.Series.Provider);
        Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => c.Source.Series.Region);
        Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => c.Source.Series.Service);
        Field<NonNullGraphType<StringGraphType>>("account").Resolve(c => c.Source.Series.Account);
        Field<NonNullGraphType<StringGraphType>>("resourceId").Resolve(c => c.Source.Series.ResourceId);
        Field<NonNullGraphType<StringGraphType>>("tags").Description("Grouped tags, key=value joined by ';'.").Resolve(c => c.Source.Series.Tags);
        Field<NonNullGraphType<StringGraphType>>("windowStart").Resolve(c => StreamFormat.Time(c.Source.WindowStart));
        Field<NonNullGraphType<StringGraphType>>("windowEnd").Resolve(c => StreamFormat.Time(c.Source.WindowEnd));
        Field<NonNullGraphType<StringGraphType>>("windowSize").Resolve(c => StreamFormat.Size(c.Source.WindowSize));
        Field<NonNullGraphType<StreamAggregateEnum>>("valueOf").Description("The aggregate scored (AVG by default).").Resolve(c => c.Source.ValueOf);
        Field<NonNullGraphType<FloatGraphType>>("value").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<FloatGraphType>>("expected").Resolve(c => c.Source.Expected);
        Field<FloatGraphType>("deviationPercentage").Description("100·(value − expected)/|expected|; null when expected is 0.")
            .Resolve(c => double.IsFinite(c.Source.DeviationPercentage) ? Math.Round(c.Source.DeviationPercentage, 2) : null);
        Field<NonNullGraphType<FloatGraphType>>("score").Description("Calibrated score in [0, 1]; flagged when ≥ 1 − fp_rate.").Resolve(c => c.Source.Score);
        Field<NonNullGraphType<StringGraphType>>("severity").Description("low, medium, high or critical by |deviation| (docs/anomalies.md, Live alerts).")
            .Resolve(c => c.Source.Severity.ToString().ToLowerInvariant());
        Field<NonNullGraphType<StringGraphType>>("kind").Description("metric (one metric's value) or multivariate (the window's metrics together; value is D², expected the number of metrics).")
            .Resolve(c => c.Source.Kind);
        Field<ListGraphType<NonNullGraphType<StreamAnomalyDriverType>>>("drivers").Description("For a multivariate anomaly, the metrics that drive it, largest share first; null otherwise.")
            .Resolve(c => c.Source.Drivers);
    }
}

/// <summary>One metric's part in a multivariate stream anomaly.</summary>
public sealed class StreamAnomalyDriverType : ObjectGraphType<StreamAnomalyDriver>
{
    /// <summary>Declares the fields.</summary>
    public StreamAnomalyDriverType()
    {
        Name = "StreamAnomalyDriver";
        Field<NonNullGraphType<StringGraphType>>("metric").Resolve(c => c.Source.Metric);
        Field<NonNullGraphType<FloatGraphType>>("value").Description("The metric's value in the window.").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<FloatGraphType>>("expected").Description("Median of its recent window values.").Resolve(c => c.Source.Expected);
        Field<NonNullGraphType<FloatGraphType>>("z").Description("Robust z-score against its recent values.").Resolve(c => c.Source.Z);
        Field<NonNullGraphType<FloatGraphType>>("share").Description("How much of the squared Mahalanobis distance goes away without this metric (0 to 1; at least 0.5 for a driver).").Resolve(c => c.Source.Share);
    }
}
