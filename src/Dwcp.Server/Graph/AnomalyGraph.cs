using System.Globalization;
using Dwcp.Anomalies.Costs;
using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Cost.Anomalies;
using Dwcp.Storage;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>Cost anomalies in GraphQL: the <c>detectAnomalies</c> query and the <c>markAnomaly</c> mutation.</summary>
public static class AnomalyGraph
{
    /// <summary>Registers the anomaly service (feedback in <c>&lt;dataDir&gt;/anomaly-feedback.json</c>) and the in-process feed.</summary>
    public static IServiceCollection AddDwcpAnomalies(this IServiceCollection services, string dataDir)
    {
        services.AddSingleton<IAnomalyFeed, AnomalyFeed>();
        services.AddSingleton(sp => new CostAnomalyService(
            sp.GetRequiredService<ICostStore>(), sp.GetRequiredService<CostQueryService>(), new AnomalyFeedbackFile(dataDir),
            sp.GetRequiredService<IAnomalyFeed>(), time: sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Adds <c>detectAnomalies</c> to the root query.</summary>
    public static void AddAnomalyFields(this ObjectGraphType query)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CostAnomalyType>>>>("detectAnomalies")
            .Description("The guide's detect_anomalies(threshold): anomalous days of the daily cost per provider/service and per provider/service/billing account, largest dollar impact first, explained by their root cause. threshold is the target false-positive rate.")
            .Argument<FloatGraphType>("threshold", a => a.DefaultValue = 0.05)
            .Argument<StringGraphType>("startDate", "First day reported, YYYY-MM-DD (default: 30 days before endDate).")
            .Argument<StringGraphType>("endDate", "Last day reported, YYYY-MM-DD (default: the last day with data).")
            .Argument<ListGraphType<NonNullGraphType<CloudProviderEnum>>>("providers", "Only these providers.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("services", "Only these ServiceName values.")
            .Argument<AnomalySeverityEnum>("minSeverity", a => a.DefaultValue = AnomalySeverity.Low)
            .Argument<BooleanGraphType>("includeSuppressed", a => a.DefaultValue = false)
            .Argument<CostTypeEnum>("costType", a => a.DefaultValue = CostMeasure.Effective)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 100)
            .Argument<DecimalGraphType>("minImpact", "Materiality floor: smallest dollar impact |actual − expected| reported, in the series' currency; 0 or more, 0 = no absolute floor (default 10).")
            .Argument<FloatGraphType>("minShare", "Materiality floor: smallest impact as a share of the series' typical daily spend (median of the 28 days before); 0 to 1, 0 = no relative floor (default 0.1).")
            .ResolveAsync(async ctx => await Guard(async () =>
            {
                var first = ctx.GetArgument("first", 100);
                if (first is < 1 or > 10_000)
                {
                    throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"first must be between 1 and 10000; got {first}.");
                }

                var request = new AnomalyRequest
                {
                    Threshold = ctx.GetArgument("threshold", 0.05),
                    From = ctx.GetArgument<string?>("startDate") is { } s ? CostMetricsResolver.ParseDate(s, "startDate") : null,
                    To = ctx.GetArgument<string?>("endDate") is { } e ? CostMetricsResolver.ParseDate(e, "endDate") : null,
                    Providers = ctx.GetArgument<List<CloudProvider>?>("providers"),
                    Services = ctx.GetArgument<List<string>?>("services"),
                    MinSeverity = ctx.GetArgument("minSeverity", AnomalySeverity.Low),
                    IncludeSuppressed = ctx.GetArgument("includeSuppressed", false),
                    Measure = ctx.GetArgument("costType", CostMeasure.Effective),
                    Materiality = Materiality(ctx.GetArgument<decimal?>("minImpact"), ctx.GetArgument<double?>("minShare"),
                        ctx.RequestServices!.GetService<AnomalyAlertOptions>()?.Materiality ?? AnomalyMateriality.Default),
                };
                var report = await ctx.RequestServices!.GetRequiredService<CostAnomalyService>()
                    .DetectAnomaliesAsync(request, ctx.RequestServices!.GetRequiredService<ICallerScope>().Current, ctx.CancellationToken);
                return report.Anomalies.Take(first).ToList();
            }));
    }

    /// <summary>
    /// The materiality floor of <c>detectAnomalies(minImpact, minShare)</c>: an argument left out keeps the server's
    /// configured value (<paramref name="configured"/>); one out of range is refused naming the argument.
    /// </summary>
    internal static AnomalyMateriality Materiality(decimal? minImpact, double? minShare, AnomalyMateriality configured)
    {
        if (minImpact is { } impact && impact < 0)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"minImpact must be an amount of 0 or more in the series' currency (e.g. 10; 0 = no absolute floor); got {impact.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (minShare is { } share && !(share >= 0 && share <= 1))
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument, $"minShare must be a share between 0 and 1 of the typical daily spend (e.g. 0.1 for a tenth; 0 = no relative floor); got {share.ToString(CultureInfo.InvariantCulture)}.");
        }

        return new AnomalyMateriality(minImpact ?? configured.MinImpact, minShare ?? configured.MinShare);
    }

    /// <summary>Turns refusals of the cost layer into GraphQL errors with a code and the layer's message.</summary>
    internal static async Task<T> Guard<T>(Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (CostQueryException ex)
        {
            throw new ExecutionError(ex.Message) { Code = ex.Kind == CostQueryErrorKind.InvalidArgument ? "INVALID_ARGUMENT" : ex.Kind.ToString().ToUpperInvariant() };
        }
    }
}

/// <summary>Root mutation type.</summary>
public sealed class DwcpMutation : ObjectGraphType
{
    /// <summary>Declares the mutations.</summary>
    public DwcpMutation()
    {
        Name = "Mutation";
        Field<NonNullGraphType<AnomalyVerdictType>>("markAnomaly")
            .Description("Marks an anomaly EXPECTED, PLANNED or REAL. Expected and planned verdicts suppress similar later deviations of the same series (same direction, within a factor 2, within 30 days) and rank other same-direction ones lower; REAL never suppresses.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "The anomaly id from detectAnomalies.")
            .Argument<NonNullGraphType<FeedbackKindEnum>>("kind")
            .Argument<StringGraphType>("note")
            .ResolveAsync(async ctx => await AnomalyGraph.Guard(() => ctx.RequestServices!.GetRequiredService<CostAnomalyService>().MarkAsync(
                ctx.GetArgument<string>("id"),
                ctx.GetArgument<FeedbackKind>("kind"),
                ctx.GetArgument<string?>("note"),
                ctx.RequestServices!.GetRequiredService<ICallerScope>().Current,
                ctx.CancellationToken)));
        this.AddAggregationMutations();
    }
}

/// <summary>Anomaly severity.</summary>
public sealed class AnomalySeverityEnum : EnumerationGraphType<AnomalySeverity>
{
    /// <summary>Names the type.</summary>
    public AnomalySeverityEnum()
    {
        Name = "AnomalySeverity";
        Description = "LOW, MEDIUM, HIGH, CRITICAL by dollar impact and deviation (docs/anomalies.md, Severity).";
    }
}

/// <summary>A verdict on an anomaly.</summary>
public sealed class FeedbackKindEnum : EnumerationGraphType<FeedbackKind>
{
    /// <summary>Names the type.</summary>
    public FeedbackKindEnum()
    {
        Name = "FeedbackKind";
        Description = "EXPECTED (a known pattern), PLANNED (a planned change) or REAL (a real problem).";
    }
}

/// <summary>The product guide's CostAnomaly.</summary>
public sealed class CostAnomalyType : ObjectGraphType<StoreCostAnomaly>
{
    /// <summary>Declares the fields.</summary>
    public CostAnomalyType()
    {
        Name = "CostAnomaly";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Stable id; pass it to markAnomaly.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("timestamp").Description("The anomalous UTC day, YYYY-MM-DD.").Resolve(c => Day(c.Source.Anomaly.Timestamp));
        Field<NonNullGraphType<CloudProviderEnum>>("provider").Resolve(c => CloudProviders.FromProviderName(c.Source.Anomaly.Provider));
        Field<NonNullGraphType<StringGraphType>>("providerName").Description("FOCUS ProviderName as billed.").Resolve(c => c.Source.Anomaly.Provider);
        Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => c.Source.Anomaly.Service);
        Field<StringGraphType>("billingAccountId").Description("The billing account of a per-account series; null for the whole service.").Resolve(c => c.Source.Anomaly.Account);
        Field<NonNullGraphType<StringGraphType>>("currency").Resolve(c => c.Source.Currency);
        Field<NonNullGraphType<DecimalGraphType>>("expectedCost").Resolve(c => c.Source.Anomaly.ExpectedCost);
        Field<NonNullGraphType<DecimalGraphType>>("actualCost").Resolve(c => c.Source.Anomaly.ActualCost);
        Field<NonNullGraphType<DecimalGraphType>>("impact").Description("|actual − expected|, the sort key.").Resolve(c => c.Source.Impact);
        Field<NonNullGraphType<FloatGraphType>>("deviationPercentage").Resolve(c => Math.Round(c.Source.Anomaly.DeviationPercentage, 2));
        Field<NonNullGraphType<StringGraphType>>("severity").Description("low, medium, high or critical.").Resolve(c => c.Source.Anomaly.Severity.ToString().ToLowerInvariant());
        Field<NonNullGraphType<FloatGraphType>>("score").Description("Calibrated score in [0, 1] after feedback.").Resolve(c => c.Source.Anomaly.Score);
        Field<NonNullGraphType<BooleanGraphType>>("suppressed").Resolve(c => c.Source.Anomaly.Suppressed);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("probableCauses").Resolve(c => c.Source.Anomaly.ProbableCauses);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("recommendedActions").Resolve(c => c.Source.Anomaly.RecommendedActions);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RootCauseType>>>>("rootCauses").Description("Top contributors: the driver first, then by |dollarDelta|, in the change's direction first.").Resolve(c => c.Source.Anomaly.RootCauses);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RootCauseDimensionType>>>>("breakdown").Description("Every dimension's full split (10 values and the rest folded); each adds up to actual − expected.")
            .Resolve(c => c.Source.Breakdown.OrderBy(kv => CostDimensions.All.ToList().IndexOf(kv.Key)).ToList());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AnomalySeriesPointType>>>>("series").Description("The series around the day (60 days before, 14 after) with the expected band.").Resolve(c => c.Source.Series);
    }

    internal static string Day(DateTime t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>One contributor to an anomaly.</summary>
public sealed class RootCauseType : ObjectGraphType<CostContributor>
{
    /// <summary>Declares the fields.</summary>
    public RootCauseType()
    {
        Name = "RootCause";
        Field<NonNullGraphType<StringGraphType>>("dimension").Description("account, region, sku, resource, charge_category, pricing_category, commitment_status or currency.").Resolve(c => c.Source.Dimension);
        Field<NonNullGraphType<StringGraphType>>("value").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<DecimalGraphType>>("expected").Resolve(c => c.Source.Expected);
        Field<NonNullGraphType<DecimalGraphType>>("actual").Resolve(c => c.Source.Actual);
        Field<NonNullGraphType<DecimalGraphType>>("dollarDelta").Resolve(c => c.Source.DollarDelta);
        Field<NonNullGraphType<FloatGraphType>>("share").Description("|delta| over the dimension's gross movement.").Resolve(c => c.Source.Share);
        Field<NonNullGraphType<StringGraphType>>("change").Description("changed, new or gone.").Resolve(c => c.Source.Change.ToString().ToLowerInvariant());
    }
}

/// <summary>One dimension's breakdown.</summary>
public sealed class RootCauseDimensionType : ObjectGraphType<KeyValuePair<string, IReadOnlyList<CostContributor>>>
{
    /// <summary>Declares the fields.</summary>
    public RootCauseDimensionType()
    {
        Name = "RootCauseDimension";
        Field<NonNullGraphType<StringGraphType>>("dimension").Resolve(c => c.Source.Key);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RootCauseType>>>>("contributors").Resolve(c => c.Source.Value);
    }
}

/// <summary>One day of the anomaly chart.</summary>
public sealed class AnomalySeriesPointType : ObjectGraphType<AnomalySeriesPoint>
{
    /// <summary>Declares the fields.</summary>
    public AnomalySeriesPointType()
    {
        Name = "AnomalySeriesPoint";
        Field<NonNullGraphType<StringGraphType>>("date").Resolve(c => c.Source.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Field<NonNullGraphType<DecimalGraphType>>("actual").Resolve(c => c.Source.Actual);
        Field<NonNullGraphType<DecimalGraphType>>("expected").Resolve(c => c.Source.Expected);
        Field<NonNullGraphType<DecimalGraphType>>("lower").Resolve(c => c.Source.Lower);
        Field<NonNullGraphType<DecimalGraphType>>("upper").Resolve(c => c.Source.Upper);
        Field<NonNullGraphType<BooleanGraphType>>("flagged").Resolve(c => c.Source.Flagged);
    }
}

/// <summary>A stored verdict.</summary>
public sealed class AnomalyVerdictType : ObjectGraphType<AnomalyVerdict>
{
    /// <summary>Declares the fields.</summary>
    public AnomalyVerdictType()
    {
        Name = "AnomalyFeedback";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<FeedbackKindEnum>>("kind").Resolve(c => c.Source.Kind);
        Field<StringGraphType>("note").Resolve(c => c.Source.Note);
        Field<NonNullGraphType<StringGraphType>>("timestamp").Resolve(c => c.Source.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>>("seriesKey").Resolve(c => c.Source.SeriesKey);
        Field<NonNullGraphType<FloatGraphType>>("deviationPercentage").Resolve(c => Math.Round(c.Source.DeviationPercentage, 2));
        Field<NonNullGraphType<StringGraphType>>("markedAt").Resolve(c => c.Source.MarkedAt.ToString("O", CultureInfo.InvariantCulture));
    }
}
