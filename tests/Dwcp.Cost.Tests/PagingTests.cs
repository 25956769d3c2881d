using System.Text;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary>Paging through answers with cursors, and cursors that do not belong to the question.</summary>
public sealed class PagingTests(EstateStore estate) : LoadedStoreTests<EstateStore>(estate)
{
    private static readonly DateOnly From = new(2024, 1, 1);
    private static readonly DateOnly To = new(2024, 1, 12);

    private CostQueryService Service() => new(Store, new CostQueryOptions { MaxResults = 1000 });

    private static CostQuery DailyByService => Query(From, To, CostGrain.Day, new CostGrouping(CostDimension.Service));

    /// <summary>Follows NextCursor to the end, checking every page on the way.</summary>
    private async Task<List<CostLine>> Walk(CostQueryService service, CostQuery query, CostScope scope, int pageSize, CostQueryResult unpaged)
    {
        var lines = new List<CostLine>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await service.QueryAsync(query with { PageSize = pageSize, Cursor = cursor }, scope);
            pages++;
            Assert.Equal(unpaged.TotalLines, page.TotalLines);
            Assert.Equal(unpaged.Totals, page.Totals);
            Assert.True(page.Lines.Count <= pageSize, $"page {pages} has {page.Lines.Count} lines, more than {pageSize}");
            if (page.NextCursor is not null)
            {
                Assert.Equal(pageSize, page.Lines.Count);
            }

            lines.AddRange(page.Lines);
            cursor = page.NextCursor;
            Assert.True(pages <= unpaged.TotalLines + 1, "the cursor never ends");
        }
        while (cursor is not null);

        Assert.Equal((int)Math.Max(1, (unpaged.TotalLines + pageSize - 1) / pageSize), pages);
        return lines;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(1000)]
    public async Task Walking_all_pages_gives_the_unpaged_answer_exactly_once(int pageSize)
    {
        var service = Service();
        var unpaged = await service.QueryAsync(DailyByService, CostScope.Everything);
        Assert.Null(unpaged.NextCursor);

        // The unpaged answer itself is right: one line per (day, service, currency) that has rows.
        var groups = Loaded.Where(r => Rows.InRange(r, From, To)).Select(r => (Rows.Day(r), r.ServiceName, r.BillingCurrency)).Distinct().Count();
        Assert.True(groups > 100, $"only {groups} lines; the paging test needs more");
        Assert.Equal(groups, unpaged.TotalLines);
        Assert.Equal(groups, unpaged.Lines.Count);

        var walked = await Walk(service, DailyByService, CostScope.Everything, pageSize, unpaged);
        Assert.Equal(unpaged.Lines.Select(Rows.Text), walked.Select(Rows.Text));
        Assert.Equal(walked.Count, walked.Select(l => (l.PeriodStart, Rows.KeyText(l.Keys), l.Currency)).Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Page_sizes_around_the_line_count_end_on_the_right_page(int delta)
    {
        var service = Service();
        var unpaged = await service.QueryAsync(DailyByService, CostScope.Everything);
        var size = (int)unpaged.TotalLines + delta;

        var first = await service.QueryAsync(DailyByService with { PageSize = size }, CostScope.Everything);
        Assert.Equal(unpaged.TotalLines, first.TotalLines);
        Assert.Equal(delta < 0, first.NextCursor is not null);

        var walked = await Walk(service, DailyByService, CostScope.Everything, size, unpaged);
        Assert.Equal(unpaged.Lines.Select(Rows.Text), walked.Select(Rows.Text));
    }

    [Fact]
    public async Task Paging_a_scoped_top_N_answer_gives_the_unpaged_answer()
    {
        var service = Service();
        var scope = CostScope.Parse("account=A|B");
        var q = DailyByService with { TopN = 3 };
        var unpaged = await service.QueryAsync(q, scope);
        Assert.Contains(unpaged.Lines, l => l.IsOther);

        var walked = await Walk(service, q, scope, 9, unpaged);
        Assert.Equal(unpaged.Lines.Select(Rows.Text), walked.Select(Rows.Text));
    }

    [Fact]
    public async Task An_answer_that_fits_in_one_page_has_no_cursor()
    {
        var q = Query(From, To, CostGrain.Total, new CostGrouping(CostDimension.Service)) with
        {
            Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"])],
            PageSize = 7,
        };
        var result = await Service().QueryAsync(q, CostScope.Everything);
        Assert.Equal(7, result.Lines.Count);
        Assert.Equal(7, result.TotalLines);
        Assert.Null(result.NextCursor);
    }

    private async Task<string> FirstCursor(CostQueryService service, CostQuery q, CostScope scope)
    {
        var first = await service.QueryAsync(q with { PageSize = 5 }, scope);
        return first.NextCursor ?? throw new InvalidOperationException("The first page should have a cursor.");
    }

    public static TheoryData<string> OtherQuestions => new()
    {
        "other start date",
        "other end date",
        "other grouping",
        "other grain",
        "other ranking",
        "other top-N",
        "other filter",
        "other scope",
    };

    [Theory]
    [MemberData(nameof(OtherQuestions))]
    public async Task A_cursor_from_a_different_question_is_refused(string change)
    {
        var service = Service();
        var scope = CostScope.Parse("account=A|B|C");
        var q = DailyByService;
        var cursor = await FirstCursor(service, q, scope);

        // The same question accepts its cursor.
        var second = await service.QueryAsync(q with { PageSize = 5, Cursor = cursor }, scope);
        Assert.Equal(5, second.Lines.Count);

        var (other, otherScope) = change switch
        {
            "other start date" => (q with { From = From.AddDays(1) }, scope),
            "other end date" => (q with { To = To.AddDays(-1) }, scope),
            "other grouping" => (q with { GroupBy = [new CostGrouping(CostDimension.Region)] }, scope),
            "other grain" => (q with { Grain = CostGrain.Week }, scope),
            "other ranking" => (q with { RankBy = CostMeasure.Effective }, scope),
            "other top-N" => (q with { TopN = 2 }, scope),
            "other filter" => (q with { Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"])] }, scope),
            "other scope" => (q, CostScope.Parse("account=A|B")),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(other with { PageSize = 5, Cursor = cursor }, otherScope));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("cursor", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "USD", "EUR" }, new[] { "USD,EUR" })]
    [InlineData(new[] { "USD", null }, new[] { "USD", "" })]
    public async Task A_cursor_is_bound_to_the_exact_filter_values(string?[] asked, string?[] other)
    {
        var service = Service();
        var q = DailyByService with { Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), asked)] };
        var cursor = await FirstCursor(service, q, CostScope.Everything);
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(
            q with { Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), other)], PageSize = 5, Cursor = cursor }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task A_cursor_from_a_scoped_question_is_refused_without_the_scope()
    {
        var service = Service();
        var cursor = await FirstCursor(service, DailyByService, CostScope.Parse("tag:Department=Eng"));
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            service.QueryAsync(DailyByService with { PageSize = 5, Cursor = cursor }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task Garbage_and_altered_cursors_are_refused()
    {
        var service = Service();
        var cursor = await FirstCursor(service, DailyByService, CostScope.Everything);
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
        var fingerprint = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

        var bad = new[]
        {
            "garbage",
            "!!!not base64!!!",
            "====",
            B64("hello"),
            B64("5"),
            B64("5:"),
            B64(":" + fingerprint),
            B64("-5:" + fingerprint),
            B64("five:" + fingerprint),
            B64("5:" + fingerprint + "0"),
            B64("5:" + fingerprint.ToLowerInvariant() + "x"),
            cursor[..^2],
        };
        foreach (var c in bad)
        {
            var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(DailyByService with { PageSize = 5, Cursor = c }, CostScope.Everything));
            Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        }
    }
}
