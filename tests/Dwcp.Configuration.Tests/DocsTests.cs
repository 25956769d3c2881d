using Dwcp.Tests;

namespace Dwcp.Configuration.Tests;

public sealed class DocsTests
{
    private static readonly string Docs = File.ReadAllText(RepoPaths.Of("docs", "configuration.md"));

    [Fact]
    public void The_configuration_guide_documents_every_key_and_its_environment_variable()
    {
        foreach (var key in DwcpConfigLoader.KeyPaths)
        {
            Assert.Contains($"`analytics.{key}`", Docs, StringComparison.Ordinal);
            Assert.Contains($"`{DwcpConfigLoader.EnvironmentVariableOf(key)}`", Docs, StringComparison.Ordinal);
        }

        Assert.Contains("`DWCP_CONFIG`", Docs, StringComparison.Ordinal);
    }

    [Fact]
    public void The_full_example_in_the_configuration_guide_loads()
    {
        const string Start = "<!-- full-example -->";
        var start = Docs.IndexOf(Start, StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/configuration.md lacks the full-example marker");
        var fenceStart = Docs.IndexOf("```yaml\n", start, StringComparison.Ordinal) + "```yaml\n".Length;
        var fenceEnd = Docs.IndexOf("```", fenceStart, StringComparison.Ordinal);
        using var dir = new ConfigDir();
        dir.Write(Docs[fenceStart..fenceEnd]);

        var loaded = dir.Load();

        Assert.DoesNotContain("default", loaded.Sources.Values);
    }
}
