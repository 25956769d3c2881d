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
        Description = "DWCP Analytics: multi-cloud cost (FOCUS) as GraphQL.";
    }
}

/// <summary>Root query type.</summary>
public sealed class DwcpQuery : ObjectGraphType
{
    public DwcpQuery()
    {
        Name = "Query";
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
                    ctx.GetArgument<string?>("currency"));
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
