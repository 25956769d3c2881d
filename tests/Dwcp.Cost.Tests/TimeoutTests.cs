using Dwcp.Core.Costs;

namespace Dwcp.Cost.Tests;

/// <summary><c>api.query_timeout</c>: a query that runs too long is stopped with a Timeout error; a caller's cancellation is not a time-out.</summary>
public sealed class TimeoutTests(EstateStore estate) : LoadedStoreTests<EstateStore>(estate)
{
    private static readonly DateOnly From = Estate.Jan1;
    private static readonly DateOnly To = Estate.Jan1.AddDays(44);

    private static CostQuery ByService => Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service));

    /// <summary>A store whose reads wait until their token is cancelled (a query that would run for ever).</summary>
    private DelegatingCostStore Hanging() => new(Store)
    {
        BeforeRead = async ct =>
        {
            // Ends only by cancellation; the minute is a guard against a hung test run, not an expectation.
            await Task.Delay(TimeSpan.FromMinutes(1), ct);
            throw new InvalidOperationException("The read was never cancelled.");
        },
    };

    private static void AssertIsTimeout(CostQueryException ex, string limitText)
    {
        Assert.Equal(CostQueryErrorKind.Timeout, ex.Kind);
        Assert.Contains("api.query_timeout", ex.Message, StringComparison.Ordinal);
        Assert.Contains(limitText, ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public async Task A_one_tick_timeout_stops_the_query_with_a_Timeout_error_naming_api_query_timeout()
    {
        var service = new CostQueryService(Hanging(), new CostQueryOptions { QueryTimeout = TimeSpan.FromTicks(1) });
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(ByService, CostScope.Everything));
        AssertIsTimeout(ex, "0 s");
    }

    [Fact]
    public async Task A_one_tick_timeout_also_stops_summaries_and_data_ranges()
    {
        var service = new CostQueryService(Hanging(), new CostQueryOptions { QueryTimeout = TimeSpan.FromTicks(1) });
        AssertIsTimeout(await Assert.ThrowsAsync<CostQueryException>(() => service.SummarizeAsync(From, To, [], CostMeasure.Billed, CostScope.Everything)), "api.query_timeout");
        AssertIsTimeout(await Assert.ThrowsAsync<CostQueryException>(() => service.GetDataRangeAsync(CostScope.Everything)), "api.query_timeout");
    }

    [Fact]
    public async Task The_real_store_stops_when_the_clock_passes_the_limit_during_the_query()
    {
        var clock = new ManualTimeProvider();
        var store = new DelegatingCostStore(Store) { BeforeRead = _ => { clock.Advance(TimeSpan.FromSeconds(31)); return Task.CompletedTask; } };
        var service = new CostQueryService(store, time: clock);

        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(ByService, CostScope.Everything));
        AssertIsTimeout(ex, "30 s");
        Assert.Equal(1, store.Reads);
        Assert.Equal(1, clock.TimersCreated);
    }

    [Fact]
    public async Task A_query_that_stays_under_the_limit_answers()
    {
        var clock = new ManualTimeProvider();
        var store = new DelegatingCostStore(Store) { BeforeRead = _ => { clock.Advance(TimeSpan.FromSeconds(1)); return Task.CompletedTask; } };
        var service = new CostQueryService(store, new CostQueryOptions { QueryTimeout = TimeSpan.FromSeconds(10) }, clock);

        // Two reads (lines, totals) of one second each stay under ten seconds.
        var result = await service.QueryAsync(ByService, CostScope.Everything);
        Assert.NotEmpty(result.Lines);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task The_limit_covers_the_whole_query_not_each_read()
    {
        var clock = new ManualTimeProvider();
        var store = new DelegatingCostStore(Store) { BeforeRead = _ => { clock.Advance(TimeSpan.FromSeconds(4)); return Task.CompletedTask; } };
        var service = new CostQueryService(store, new CostQueryOptions { QueryTimeout = TimeSpan.FromSeconds(10) }, clock);

        // A paged top-N answer reads four times (ranking, lines, count, totals): the third read passes 10 s.
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            service.QueryAsync(ByService with { TopN = 2, PageSize = 3 }, CostScope.Everything));
        AssertIsTimeout(ex, "10 s");
        Assert.Equal(3, store.Reads);
    }

    [Fact]
    public async Task Each_query_gets_a_fresh_time_budget()
    {
        var clock = new ManualTimeProvider();
        var service = new CostQueryService(Store, new CostQueryOptions { QueryTimeout = TimeSpan.FromSeconds(10) }, clock);
        await service.QueryAsync(ByService, CostScope.Everything);
        clock.Advance(TimeSpan.FromHours(1));
        var result = await service.QueryAsync(ByService, CostScope.Everything);
        Assert.NotEmpty(result.Lines);
    }

    [Fact]
    public async Task A_token_cancelled_by_the_caller_gives_OperationCanceledException_not_Timeout()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var service = new CostQueryService(Store);
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.QueryAsync(ByService, CostScope.Everything, cts.Token));
        Assert.IsNotType<CostQueryException>(ex);
    }

    [Fact]
    public async Task A_caller_cancelling_while_the_query_runs_gives_OperationCanceledException_even_with_a_tiny_timeout()
    {
        using var cts = new CancellationTokenSource();
        var store = new DelegatingCostStore(Store) { BeforeRead = async ct => { await cts.CancelAsync(); ct.ThrowIfCancellationRequested(); } };
        var service = new CostQueryService(store, new CostQueryOptions { QueryTimeout = TimeSpan.FromTicks(1) });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.QueryAsync(ByService, CostScope.Everything, cts.Token));
    }

    [Fact]
    public async Task A_caller_cancelling_a_hanging_query_gives_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        var store = Hanging();
        var service = new CostQueryService(store);
        var running = service.QueryAsync(ByService, CostScope.Everything, cts.Token);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.IsNotType<CostQueryException>(ex);
    }
}
