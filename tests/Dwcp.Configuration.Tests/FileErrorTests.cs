namespace Dwcp.Configuration.Tests;

public sealed class FileErrorTests : IDisposable
{
    private const string FormatOfDurations = "Expected a number followed by a unit ms, s, m, h or d (units combine, as in 1h30m).";

    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_unknown_key_names_its_line_and_path_and_suggests_the_nearest_key_of_its_section()
    {
        var error = _dir.FileFails("""
            analytics:
              streaming:
                buffer_size: 10
              ml_models:
                batch_size: 1
              api:
                max_result: 10
            """);

        Assert.Equal(
            "dwcp.yaml line 7: unknown key 'analytics.api.max_result'. Did you mean 'max_results'? "
            + "Known keys under analytics.api: query_timeout, max_results, cache_enabled, urls.",
            error.Message);
        Assert.Equal("dwcp.yaml", error.File);
        Assert.Equal(7, error.Line);
        Assert.Equal(5, error.Column);
        Assert.Equal("api.max_result", error.KeyPath);
    }

    [Theory]
    [InlineData("aliases: [dept=Department, dept]", "tags.aliases", "'dept' is not alias=Canonical")]
    [InlineData("inherit: [\"123:Team\"]", "tags.inherit", "'123:Team' is not ACCOUNT_ID:Key=Value")]
    public void A_malformed_tag_entry_names_its_line_and_the_expected_form(string yaml, string key, string words)
    {
        var error = _dir.FileFails("analytics:\n  tags:\n    " + yaml + "\n");

        Assert.Equal(3, error.Line);
        Assert.Equal(key, error.KeyPath);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_directly_under_analytics_lists_the_keys_there()
    {
        var error = _dir.FileFails("analytics:\n  stor: duckdb\n");

        Assert.Equal(
            "dwcp.yaml line 2: unknown key 'analytics.stor'. Did you mean 'store'? "
            + "Known keys under analytics: store, data_dir, scope, streaming, clickhouse, ml_models, api, tags, anomalies, duckdb.",
            error.Message);
    }

    [Fact]
    public void A_key_misspelled_only_in_case_is_unknown_and_the_suggestion_shows_the_right_case()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    Query_Timeout: 1s\n");

        Assert.Contains("unknown key 'analytics.api.Query_Timeout'. Did you mean 'query_timeout'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_in_the_wrong_section_says_which_section_it_belongs_to()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    buffer_size: 5\n");

        Assert.Equal(
            "dwcp.yaml line 3: unknown key 'analytics.api.buffer_size'. 'buffer_size' is a key of analytics.streaming; move it there. "
            + "Known keys under analytics.api: query_timeout, max_results, cache_enabled, urls.",
            error.Message);
    }

    [Fact]
    public void An_unknown_key_with_no_near_match_still_lists_the_known_keys()
    {
        var error = _dir.FileFails("analytics:\n  ml_models:\n    learning_rate: 0.1\n");

        Assert.Equal(
            "dwcp.yaml line 3: unknown key 'analytics.ml_models.learning_rate'. Known keys under analytics.ml_models: batch_size, num_workers, gpu_enabled.",
            error.Message);
    }

    [Fact]
    public void A_mistyped_duration_says_the_expected_format_with_an_example()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    query_timeout: fast\n");

        Assert.Equal(
            $"dwcp.yaml line 3: analytics.api.query_timeout: 'fast' is not a duration. {FormatOfDurations} For example: 'query_timeout: 30s'.",
            error.Message);
        Assert.Equal(3, error.Line);
        Assert.Equal("api.query_timeout", error.KeyPath);
    }

    [Fact]
    public void A_bare_number_is_not_a_duration_because_its_unit_would_be_a_guess()
    {
        var error = _dir.FileFails("analytics:\n  streaming:\n    batch_timeout: 100\n");

        Assert.Contains("'100' is not a duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("For example: 'batch_timeout: 100ms'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("buffer_size: ten", "'ten' is not a whole number. Expected a whole number written with digits only. For example: 'buffer_size: 10000'.")]
    [InlineData("buffer_size: 1.5", "'1.5' is not a whole number.")]
    [InlineData("parallelism: 99999999999", "'99999999999' is too large (the largest allowed is 2147483647).")]
    public void A_mistyped_number_says_what_a_number_looks_like(string line, string expected)
    {
        var error = _dir.FileFails($"analytics:\n  streaming:\n    {line}\n");

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Theory]
    [InlineData("max_memory_usage: lots", "'lots' is not a size. Expected a number of bytes with an optional unit: B, KB, MB, GB, TB (powers of 1000: 1GB = 1000000000 bytes) or KiB, MiB, GiB, TiB (powers of 1024: 1GiB = 1073741824 bytes). For example: 'max_memory_usage: 10GB'.")]
    [InlineData("max_memory_usage: 10XB", "'10XB' is not a size: unknown unit 'XB'.")]
    [InlineData("max_memory_usage: 99999999TB", "'99999999TB' is too large.")]
    [InlineData("distributed_product_mode: everywhere", "'everywhere' is not a distributed product mode. Expected one of deny, local, global, allow. For example: 'distributed_product_mode: global'.")]
    [InlineData("url: localhost:8123", "'localhost:8123' is not an http(s) URL. Expected an absolute URL starting with http:// or https://. For example: 'url: http://localhost:8123'.")]
    public void Mistyped_clickhouse_values_say_the_expected_format(string line, string expected)
    {
        var error = _dir.FileFails($"analytics:\n  clickhouse:\n    {line}\n");

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("dwcp.yaml line 3: analytics.clickhouse.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistyped_store_lists_the_stores()
    {
        var error = _dir.FileFails("analytics:\n  store: postgres\n");

        Assert.Equal(
            "dwcp.yaml line 2: analytics.store: 'postgres' is not a known store. Expected one of duckdb, clickhouse. For example: 'store: duckdb'.",
            error.Message);
    }

    [Fact]
    public void A_mistyped_boolean_says_true_or_false()
    {
        var error = _dir.FileFails("analytics:\n  ml_models:\n    gpu_enabled: sometimes\n");

        Assert.Equal(
            "dwcp.yaml line 3: analytics.ml_models.gpu_enabled: 'sometimes' is not true or false. Expected true or false (yes/no, on/off and 1/0 also work). For example: 'gpu_enabled: true'.",
            error.Message);
    }

    [Theory]
    [InlineData("streaming", "buffer_size: 0", "analytics.streaming.buffer_size: must be at least 1 but is 0. For example: 'buffer_size: 10000'.")]
    [InlineData("streaming", "buffer_size: -5", "analytics.streaming.buffer_size: must be at least 1 but is -5.")]
    [InlineData("streaming", "parallelism: 0", "analytics.streaming.parallelism: must be at least 1 but is 0.")]
    [InlineData("streaming", "batch_timeout: 0ms", "analytics.streaming.batch_timeout: must be more than 0 but is 0s.")]
    [InlineData("streaming", "max_latency_ms: 0", "analytics.streaming.max_latency_ms: must be at least 1 but is 0.")]
    [InlineData("streaming", "allowed_lateness: -1s", "analytics.streaming.allowed_lateness: must not be negative but is -1s.")]
    [InlineData("streaming", "window_sizes: []", "analytics.streaming.window_sizes: must list at least one value but is empty. For example: 'window_sizes: [1m, 5m, 15m]'.")]
    [InlineData("streaming", "window_sizes: 1m, 0s", "analytics.streaming.window_sizes: entry 2 must be more than 0 but is 0s.")]
    [InlineData("api", "max_results: 0", "analytics.api.max_results: must be at least 1 but is 0. For example: 'max_results: 10000'.")]
    [InlineData("api", "query_timeout: 0s", "analytics.api.query_timeout: must be more than 0 but is 0s. For example: 'query_timeout: 30s'.")]
    [InlineData("api", "urls: []", "analytics.api.urls: must list at least one value but is empty.")]
    [InlineData("clickhouse", "max_threads: 0", "analytics.clickhouse.max_threads: must be at least 1 but is 0.")]
    [InlineData("clickhouse", "max_memory_usage: -1", "analytics.clickhouse.max_memory_usage: must not be negative (0 means no limit) but is -1.")]
    [InlineData("ml_models", "batch_size: 0", "analytics.ml_models.batch_size: must be at least 1 but is 0.")]
    [InlineData("ml_models", "num_workers: 0", "analytics.ml_models.num_workers: must be at least 1 but is 0.")]
    [InlineData("duckdb", "load_memory_limit: 40MB", "analytics.duckdb.load_memory_limit: must be at least 96MB but is 40000000 bytes.")]
    [InlineData("duckdb", "memory_limit: 1MB", "analytics.duckdb.memory_limit: must be at least 64MB but is 1000000 bytes.")]
    public void A_value_out_of_range_names_the_key_the_rule_and_an_example(string section, string line, string expected)
    {
        var error = _dir.FileFails($"analytics:\n  {section}:\n    {line}\n");

        Assert.StartsWith("dwcp.yaml line 3: " + expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void An_out_of_range_entry_of_a_block_list_points_at_the_entry_line()
    {
        var error = _dir.FileFails("analytics:\n  streaming:\n    window_sizes:\n      - 1m\n      - -5m\n");

        Assert.Equal(5, error.Line);
        Assert.StartsWith("dwcp.yaml line 5: analytics.streaming.window_sizes: must be more than 0 but is -5m.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistyped_entry_of_a_block_list_points_at_the_entry_line()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    urls:\n      - http://localhost:1\n      - ftp://files\n");

        Assert.Equal(5, error.Line);
        Assert.Contains("'ftp://files' is not an http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_without_a_value_says_so_and_how_to_get_the_default()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    query_timeout:\n");

        Assert.Equal(
            "dwcp.yaml line 3: analytics.api.query_timeout: has no value. Give it one, for example 'query_timeout: 30s', or delete the line to use the default (30s).",
            error.Message);
    }

    [Fact]
    public void An_empty_data_dir_is_refused()
    {
        var error = _dir.FileFails("analytics:\n  data_dir: \"\"\n");

        Assert.StartsWith("dwcp.yaml line 2: analytics.data_dir: must not be empty.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scope_is_validated_with_the_cost_scope_parser()
    {
        var error = _dir.FileFails("analytics:\n  scope: department=Eng\n");

        Assert.Equal(
            "dwcp.yaml line 2: analytics.scope: 'department=Eng' is not a valid scope: Scope key 'department' is unknown; use 'account' or 'tag:<Key>'. "
            + "For example: 'scope: account=A|B;tag:Department=Eng'.",
            error.Message);
        Assert.Equal("scope", error.KeyPath);
    }

    [Theory]
    [InlineData("analytic:\n  store: duckdb\n", "dwcp.yaml line 1: unknown top-level key 'analytic'. Did you mean 'analytics'? The file holds one top-level key, 'analytics:', with every setting indented below it.")]
    [InlineData("api:\n  query_timeout: 1s\n", "dwcp.yaml line 1: unknown top-level key 'api'. 'api' belongs under 'analytics:'; indent it below an 'analytics:' line. The file holds one top-level key, 'analytics:', with every setting indented below it.")]
    [InlineData("analytics:\n  store: duckdb\nlogging:\n  level: debug\n", "dwcp.yaml line 3: unknown top-level key 'logging'. Remove it. The file holds one top-level key, 'analytics:', with every setting indented below it.")]
    public void A_top_level_key_other_than_analytics_is_an_error(string yaml, string expected)
    {
        var error = _dir.FileFails(yaml);

        Assert.Equal(expected, error.Message);
        Assert.Null(error.KeyPath);
    }

    [Theory]
    [InlineData("analytics:\n  api: fast\n", 2, "dwcp.yaml line 2: 'analytics.api' is a section and cannot take the value 'fast'; write its keys on the lines below it, indented, e.g. 'query_timeout: 30s'. Known keys under analytics.api: query_timeout, max_results, cache_enabled, urls.")]
    [InlineData("analytics:\n  streaming: [1, 2]\n", 2, "dwcp.yaml line 2: 'analytics.streaming' is a section and cannot take a list;")]
    [InlineData("analytics: duckdb\n", 1, "dwcp.yaml line 1: 'analytics' is a section and cannot take the value 'duckdb'; write its keys on the lines below it, indented, e.g. 'store: duckdb'.")]
    public void A_section_given_as_a_scalar_or_list_is_an_error(string yaml, int line, string expected)
    {
        var error = _dir.FileFails(yaml);

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void A_value_given_as_a_section_or_an_unexpected_list_is_an_error()
    {
        var section = _dir.FileFails("analytics:\n  api:\n    query_timeout:\n      seconds: 5\n");
        Assert.Equal(
            "dwcp.yaml line 3: analytics.api.query_timeout takes a single value, not a section. For example: 'query_timeout: 30s'.",
            section.Message);

        var list = _dir.FileFails("analytics:\n  api:\n    max_results: [1, 2]\n");
        Assert.Equal(
            "dwcp.yaml line 3: analytics.api.max_results takes a single value, not a list. For example: 'max_results: 10000'.",
            list.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_mapping_is_an_error()
    {
        var error = _dir.FileFails("- analytics\n- store\n");

        Assert.StartsWith("dwcp.yaml line 1: the file must hold a mapping with the single top-level key 'analytics:', but it holds a list.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_name_the_key_path_and_both_lines()
    {
        var error = _dir.FileFails("""
            analytics:
              api:
                query_timeout: 10s
                max_results: 5
                query_timeout: 20s
            """);

        Assert.Equal(
            "dwcp.yaml line 5: duplicate key 'analytics.api.query_timeout' (it is also on line 3). "
            + "A key may appear only once in a section; keep one of the two and delete the other.",
            error.Message);
        Assert.Equal(5, error.Line);
        Assert.Equal("api.query_timeout", error.KeyPath);
    }

    [Fact]
    public void A_section_given_twice_is_a_duplicate_key()
    {
        var error = _dir.FileFails("analytics:\n  api:\n    max_results: 1\n  streaming:\n    parallelism: 2\n  api:\n    cache_enabled: true\n");

        Assert.StartsWith("dwcp.yaml line 6: duplicate key 'analytics.api' (it is also on line 2).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_key_in_two_sections_is_not_a_duplicate()
    {
        _dir.Write("analytics:\n  streaming:\n    buffer_size: 3\n  ml_models:\n    batch_size: 3\n  clickhouse:\n    max_threads: 3\n");

        var c = _dir.Load().Config;

        Assert.Equal(3, c.Streaming.BufferSize);
        Assert.Equal(3, c.MlModels.BatchSize);
    }

    [Theory]
    [InlineData("analytics:\n  api:\n    query_timeout: 30s: 5\n", 3)]
    [InlineData("analytics:\n\tstore: duckdb\n", 2)]
    [InlineData("analytics:\n  api:\n    query_timeout: 30s\n   max_results: 5\n", 4)]
    [InlineData("analytics:\n  scope: \"account=A\n  store: duckdb\n", 2)]
    [InlineData("analytics:\n  streaming:\n    window_sizes: [1m, 5m\n    parallelism: 2\n", 3)]
    public void Malformed_yaml_is_reported_with_its_line(string yaml, int line)
    {
        var error = _dir.FileFails(yaml);

        Assert.Equal(line, error.Line);
        Assert.NotNull(error.Column);
        Assert.Equal("dwcp.yaml", error.File);
        Assert.StartsWith($"dwcp.yaml line {line}, column {error.Column}: not valid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Check the indentation (spaces only, no tabs), the ': ' after each key, and any quote or bracket that is not closed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unclosed_bracket_says_so_at_the_last_line_read()
    {
        var error = _dir.FileFails("analytics:\n  streaming:\n    window_sizes: [1m, 5m\n    parallelism: 2\n");

        Assert.StartsWith(
            "dwcp.yaml line 3, column 22: not valid YAML: the YAML reader stopped after this point; a '[' or '{' that is not closed before the next line is the usual cause.",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_at_the_tab()
    {
        var error = _dir.FileFails("analytics:\n  api:\n  \tmax_results: 5\n");

        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Contains("tab", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_to_an_undefined_anchor_is_reported_at_the_alias()
    {
        var error = _dir.FileFails("analytics:\n  store: duckdb\n  data_dir: *nowhere\n");

        Assert.Equal(
            "dwcp.yaml line 3, column 13: not valid YAML: the alias '*nowhere' refers to no anchor; define '&nowhere' on a value above it, or write the value itself.",
            error.Message);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void A_file_with_two_yaml_documents_is_an_error_at_the_second()
    {
        var error = _dir.FileFails("analytics:\n  store: duckdb\n---\nanalytics:\n  store: clickhouse\n");

        Assert.Equal(4, error.Line);
        Assert.Contains("a second YAML document starts here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_as_a_key_is_an_error()
    {
        var error = _dir.FileFails("analytics:\n  ? [a, b]\n  : 1\n");

        Assert.Equal(2, error.Line);
        Assert.Contains("keys must be plain names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Anchors_and_aliases_are_read_as_their_values()
    {
        _dir.Write("analytics:\n  streaming:\n    batch_timeout: &t 2s\n  api:\n    query_timeout: *t\n");

        var c = _dir.Load().Config;

        Assert.Equal(TimeSpan.FromSeconds(2), c.Streaming.BatchTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), c.Api.QueryTimeout);
    }
}
