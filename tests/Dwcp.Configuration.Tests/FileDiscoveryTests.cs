namespace Dwcp.Configuration.Tests;

public sealed class FileDiscoveryTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Without_a_path_dwcp_yaml_in_the_working_directory_is_read()
    {
        _dir.Write("analytics:\n  api:\n    max_results: 7\n");

        var loaded = _dir.Load(path: null);

        Assert.Equal(7, loaded.Config.Api.MaxResults);
        Assert.Equal("dwcp.yaml:3", loaded.Sources["api.max_results"]);
        Assert.Equal(Path.Combine(_dir.Root, "dwcp.yaml"), loaded.ConfigFile);
    }

    [Fact]
    public void Without_a_path_and_without_dwcp_yaml_no_file_is_read()
    {
        var loaded = _dir.Load(path: null);

        Assert.Null(loaded.ConfigFile);
        Assert.Equal(DwcpConfig.Default, loaded.Config);
    }

    [Fact]
    public void Without_a_path_DWCP_CONFIG_names_the_file_and_wins_over_dwcp_yaml()
    {
        _dir.Write("analytics:\n  api:\n    max_results: 7\n");
        var other = _dir.Write("analytics:\n  api:\n    max_results: 8\n", "conf/prod.yaml");

        var loaded = _dir.Load(env: new() { ["DWCP_CONFIG"] = other });

        Assert.Equal(8, loaded.Config.Api.MaxResults);
        Assert.Equal(other, loaded.ConfigFile);
        Assert.Equal(other + ":3", loaded.Sources["api.max_results"]);
    }

    [Fact]
    public void A_relative_DWCP_CONFIG_is_resolved_against_the_working_directory()
    {
        _dir.Write("analytics:\n  api:\n    max_results: 9\n", "conf/prod.yaml");

        var loaded = _dir.Load(env: new() { ["DWCP_CONFIG"] = "conf/prod.yaml" });

        Assert.Equal(9, loaded.Config.Api.MaxResults);
        Assert.Equal("conf/prod.yaml:3", loaded.Sources["api.max_results"]);
    }

    [Fact]
    public void An_explicit_path_wins_over_DWCP_CONFIG()
    {
        var chosen = _dir.Write("analytics:\n  api:\n    max_results: 1\n", "chosen.yaml");
        var viaEnv = _dir.Write("analytics:\n  api:\n    max_results: 2\n", "env.yaml");

        var loaded = _dir.Load(chosen, env: new() { ["DWCP_CONFIG"] = viaEnv });

        Assert.Equal(1, loaded.Config.Api.MaxResults);
    }

    [Fact]
    public void An_explicit_path_that_does_not_exist_is_an_error_naming_it()
    {
        _dir.Write("analytics:\n"); // a dwcp.yaml that must not be used instead

        var error = _dir.LoadFails("missing.yaml");

        Assert.Equal("missing.yaml", error.File);
        Assert.Null(error.Line);
        Assert.Contains("'missing.yaml' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.Root, "missing.yaml"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_DWCP_CONFIG_that_does_not_exist_is_an_error_that_names_the_variable()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_CONFIG"] = "nope.yaml" });

        Assert.Contains("'nope.yaml' (from DWCP_CONFIG) does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("unset it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_DWCP_CONFIG_counts_as_unset()
    {
        _dir.Write("analytics:\n  api:\n    max_results: 5\n");

        var loaded = _dir.Load(env: new() { ["DWCP_CONFIG"] = "" });

        Assert.Equal(5, loaded.Config.Api.MaxResults);
    }

    [Fact]
    public void A_folder_given_as_the_path_is_an_error_suggesting_the_file_in_it()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Root, "conf"));

        var error = _dir.LoadFails("conf");

        Assert.Contains("is a folder", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("conf", "dwcp.yaml"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_a_file_given_by_an_absolute_path_show_that_path()
    {
        var path = _dir.Write("analytics:\n  bogus: 1\n", "abs.yaml");

        var error = _dir.LoadFails(path);

        Assert.Equal(path, error.File);
        Assert.StartsWith(path + " line 2: unknown key 'analytics.bogus'.", error.Message, StringComparison.Ordinal);
    }
}
