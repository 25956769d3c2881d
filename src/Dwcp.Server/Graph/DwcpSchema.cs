using Dwcp.Core;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Storage;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Graph;

/// <summary>The GraphQL schema served at <c>POST /graphql</c>.</summary>
public sealed class DwcpSchema : Schema
{
    public DwcpSchema(IServiceProvider services)
        : base(services)
    {
        Query = services.GetRequiredService<DwcpQuery>();
        Mutation = services.GetRequiredService<DwcpMutation>();
        Subscription = services.GetRequiredService<DwcpSubscription>();
        Description = "DWCP Analytics: multi-cloud cost (FOCUS) as GraphQL.";
    }
}

/// <summary>Root query type.</summary>
public sealed class DwcpQuery : ObjectGraphType
{
    public DwcpQuery()
    {
        Name = "Query";
        this.AddAnomalyFields();
        this.AddStreamFields();
        this.AddRollupFields();
        this.AddAggregationFields();
        Field<NonNullGraphType<CostMetricsResultType>>("getCostMetrics")
            .Description("Cost per time bucket and group, in the product guide's shape. Always grouped by provider (unless includeProvider: false) and by currency; dates are inclusive UTC days.")
            .Argument<NonNullGraphType<StringGraphType>>("startDate", "First day, YYYY-MM-DD (inclusive).")
            .Argument<NonNullGraphType<StringGraphType>>("endDate", "Last day, YYYY-MM-DD (inclusive).")
            .Argument<ListGraphType<NonNullGraphType<CloudProviderEnum>>>("providers", "Only these providers.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("services", "Only these ServiceName values.")
            .Argument<ListGraphType<NonNullGraphType<CostGroupByEnum>>>("groupBy", "Dimensions to group by.")
            .Argument<StringGraphType>("tagKey", "The tag key for groupBy TAG.")
            .Argument<AggregationEnum>("aggregation", a => a.DefaultValue = CostAggregationKind.Sum)
            .Argument<CostTypeEnum>("costType", a => a.DefaultValue = CostMeasure.Billed)
            .Argument<GranularityEnum>("granularity", a => a.DefaultValue = Granularity.Daily)
            .Argument<IntGraphType>("topN", "Keep the N largest groups over the range; fold the rest into one isOther line per bucket.")
            .Argument<IntGraphType>("first", "Page size (at most api.max_results).")
            .Argument<StringGraphType>("after", "Cursor from pageInfo.endCursor.")
            .Argument<BooleanGraphType>("includeProvider", a => a.DefaultValue = true)
            .Argument<StringGraphType>("currency", "Reporting currency (ISO 4217): every charge is converted at its day's rate and summed in it; ratesUsed lists the rates. Omit to keep billing currencies.")
            .Argument<BooleanGraphType>("approximate", "Estimate from a sample of rows (default ratio 0.1); the answer says so in approximate and estimates. Never implied.")
            .Argument<FloatGraphType>("sample", "Fraction of rows to sample, in (0, 1], e.g. 0.1; implies an approximate answer.")
            .ResolveAsync(async ctx =>
            {
                var args = new CostMetricsArgs(
                    ctx.GetArgument<string>("startDate"),
                    ctx.GetArgument<string>("endDate"),
                    ctx.GetArgument<List<CloudProvider>?>("providers"),
                    ctx.GetArgument<List<string>?>("services"),
                    ctx.GetArgument<List<CostDimension>?>("groupBy"),
                    ctx.GetArgument<string?>("tagKey"),
                    ctx.GetArgument("aggregation", CostAggregationKind.Sum),
                    ctx.GetArgument("costType", CostMeasure.Billed),
                    ctx.GetArgument("granularity", Granularity.Daily),
                    ctx.GetArgument<int?>("topN"),
                    ctx.GetArgument<int?>("first"),
                    ctx.GetArgument<string?>("after"),
                    ctx.GetArgument("includeProvider", true),
                    ctx.GetArgument<string?>("currency"),
                    ctx.GetArgument<bool?>("approximate"),
                    ctx.GetArgument<double?>("sample"),
                    WithSummaries: ctx.SubFields is not { } selected || selected.Values.Any(f => f.FieldType.Name is "summary" or "summaries"));
                return await Guard(() => ctx.RequestServices!.GetRequiredService<CostMetricsResolver>().ResolveAsync(args, ctx.CancellationToken));
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TagCoverageType>>>>("tagCoverage")
            .Description("Share of cost carrying each tag key: overall (provider null), per provider (billingAccountId null) and per billing account, each per currency.")
            .Argument<NonNullGraphType<StringGraphType>>("startDate", "First day, YYYY-MM-DD (inclusive).")
            .Argument<NonNullGraphType<StringGraphType>>("endDate", "Last day, YYYY-MM-DD (inclusive).")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("requiredTags", "Keys to check; default analytics.tags.required.")
            .Argument<CostTypeEnum>("costType", a => a.DefaultValue = CostMeasure.Billed)
            .ResolveAsync(async ctx => await Guard(() => ctx.RequestServices!.GetRequiredService<CostQueryService>().TagCoverageAsync(
                CostMetricsResolver.ParseDate(ctx.GetArgument<string>("startDate"), "startDate"),
                CostMetricsResolver.ParseDate(ctx.GetArgument<string>("endDate"), "endDate"),
                ctx.GetArgument<List<string>?>("requiredTags") ?? [],
                ctx.GetArgument("costType", CostMeasure.Billed),
                ctx.RequestServices!.GetRequiredService<ICallerScope>().Current,
                ctx.CancellationToken)));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CostForecastType>>>>("forecastCosts")
            .Description("The guide's forecast_costs: one forecast of the summed daily cost per period (30d, 60d, 90d…), with bounds, trend, seasonality and a backtest accuracy score.")
            .Argument<CloudProviderEnum>("provider", "Only this provider.")
            .Argument<StringGraphType>("service", "Only this ServiceName.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("periods", a => a.DefaultValue = new List<object> { "30d", "60d", "90d" })
            .Argument<CostTypeEnum>("costType", a => a.DefaultValue = CostMeasure.Billed)
            .Argument<StringGraphType>("currency", "Reporting currency, needed when the selected cost spans several billing currencies.")
            .Argument<IntGraphType>("historyDays", a => a.DefaultValue = 365)
            .Argument<FloatGraphType>("level", a => a.DefaultValue = 95.0)
            .ResolveAsync(async ctx => await Guard(async () =>
            {
                var costs = ctx.RequestServices!.GetRequiredService<CostQueryService>();
                var scope = ctx.RequestServices!.GetRequiredService<ICallerScope>().Current;
                var filters = new List<CostFilter>();
                if (ctx.GetArgument<string?>("service") is { Length: > 0 } service)
                {
                    filters.Add(new CostFilter(new CostGrouping(CostDimension.Service), [service]));
                }

                if (ctx.GetArgument<CloudProvider?>("provider") is { } provider)
                {
                    var range = await costs.GetDataRangeAsync(scope, ctx.CancellationToken);
                    filters.Add(await ctx.RequestServices!.GetRequiredService<CostMetricsResolver>()
                        .ProviderFilterAsync(range.From ?? DateOnly.MinValue, range.To ?? DateOnly.MinValue, [provider], scope, ctx.CancellationToken));
                }

                return await new Dwcp.Cost.Forecasts.CostForecastService(costs).ForecastAsync(
                    filters,
                    ctx.GetArgument<List<string>?>("periods") ?? ["30d", "60d", "90d"],
                    ctx.GetArgument("costType", CostMeasure.Billed),
                    scope,
                    ctx.GetArgument<string?>("currency"),
                    ctx.GetArgument("historyDays", 365),
                    ctx.GetArgument("level", 95.0),
                    ctx.CancellationToken);
            }));

        Field<NonNullGraphType<DataRangeType>>("dataRange")
            .Description("First and last charge day visible to the caller, and the row count.")
            .ResolveAsync(async ctx => await Guard(() => ctx.RequestServices!.GetRequiredService<CostQueryService>()
                .GetDataRangeAsync(ctx.RequestServices!.GetRequiredService<ICallerScope>().Current, ctx.CancellationToken)));

        Field<NonNullGraphType<StoreInfoType>>("storeInfo")
            .Description("The store backend and schema version.")
            .ResolveAsync(async ctx => await ctx.RequestServices!.GetRequiredService<ICostStore>().GetInfoAsync(ctx.CancellationToken));
    }

    /// <summary>Turns refusals of the cost layer into GraphQL errors with a code and the layer's message.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (CostQueryException ex)
        {
            throw new ExecutionError(ex.Message) { Code = ex.Kind.ToString().ToUpperInvariant() switch
            {
                "INVALIDARGUMENT" => "INVALID_ARGUMENT",
                "LIMITEXCEEDED" => "LIMIT_EXCEEDED",
                "MISSINGEXCHANGERATE" => "MISSING_EXCHANGE_RATE",
                var s => s,
            } };
        }
    }
}
