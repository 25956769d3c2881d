namespace Dwcp.Core.Tests;

/// <summary>Mapping FOCUS ProviderName values onto <see cref="CloudProvider"/> and back.</summary>
public sealed class CloudProviderTests
{
    /// <summary>The documented spellings (CloudProviders' XML docs and table), written out by hand.</summary>
    public static TheoryData<string, CloudProvider> Spellings => new()
    {
        { "AWS", CloudProvider.Aws },
        { "Amazon Web Services", CloudProvider.Aws },
        { "Amazon Web Services, Inc.", CloudProvider.Aws },
        { "Amazon", CloudProvider.Aws },
        { "Microsoft", CloudProvider.Azure },
        { "Azure", CloudProvider.Azure },
        { "Microsoft Azure", CloudProvider.Azure },
        { "Microsoft Corporation", CloudProvider.Azure },
        { "Google Cloud", CloudProvider.Gcp },
        { "Google", CloudProvider.Gcp },
        { "GCP", CloudProvider.Gcp },
        { "Google Cloud Platform", CloudProvider.Gcp },
        { "Google LLC", CloudProvider.Gcp },
        { "Oracle", CloudProvider.Oracle },
        { "OCI", CloudProvider.Oracle },
        { "Oracle Cloud Infrastructure", CloudProvider.Oracle },
        { "Oracle Cloud", CloudProvider.Oracle },
        { "IBM", CloudProvider.Ibm },
        { "IBM Cloud", CloudProvider.Ibm },
        { "Alibaba Cloud", CloudProvider.Alibaba },
        { "Alibaba", CloudProvider.Alibaba },
        { "Aliyun", CloudProvider.Alibaba },
        { "Alibaba Cloud International", CloudProvider.Alibaba },
    };

    public static TheoryData<CloudProvider> SixProviders => new()
    {
        CloudProvider.Aws, CloudProvider.Azure, CloudProvider.Gcp, CloudProvider.Oracle, CloudProvider.Ibm, CloudProvider.Alibaba,
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Every_documented_spelling_maps_to_its_provider(string name, CloudProvider expected)
    {
        Assert.Equal(expected, CloudProviders.FromProviderName(name));
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Spellings_match_ignoring_case_and_surrounding_spaces(string name, CloudProvider expected)
    {
        Assert.Equal(expected, CloudProviders.FromProviderName(name.ToUpperInvariant()));
        Assert.Equal(expected, CloudProviders.FromProviderName(name.ToLowerInvariant()));
        Assert.Equal(expected, CloudProviders.FromProviderName("  " + name + "\t"));
    }

    [Theory]
    [InlineData("DigitalOcean")]
    [InlineData("Snowflake")]
    [InlineData("Amazon Web Services Inc")]
    [InlineData("AWS Marketplace")]
    [InlineData("Microsoft Azure China")]
    [InlineData("Google Cloud Platform (GCP)")]
    [InlineData("A W S")]
    public void Unknown_names_map_to_Other(string name)
    {
        Assert.Equal(CloudProvider.Other, CloudProviders.FromProviderName(name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    public void Null_or_blank_maps_to_Other(string? name)
    {
        Assert.Equal(CloudProvider.Other, CloudProviders.FromProviderName(name));
    }

    [Fact]
    public void The_canonical_names_are_the_ones_our_data_writes()
    {
        Assert.Equal("AWS", CloudProviders.CanonicalName(CloudProvider.Aws));
        Assert.Equal("Microsoft", CloudProviders.CanonicalName(CloudProvider.Azure));
        Assert.Equal("Google Cloud", CloudProviders.CanonicalName(CloudProvider.Gcp));
        Assert.Equal("Oracle", CloudProviders.CanonicalName(CloudProvider.Oracle));
        Assert.Equal("IBM", CloudProviders.CanonicalName(CloudProvider.Ibm));
        Assert.Equal("Alibaba Cloud", CloudProviders.CanonicalName(CloudProvider.Alibaba));
    }

    [Theory]
    [MemberData(nameof(SixProviders))]
    public void The_canonical_name_round_trips_through_FromProviderName(CloudProvider provider)
    {
        Assert.Equal(provider, CloudProviders.FromProviderName(CloudProviders.CanonicalName(provider)));
        Assert.Contains(CloudProviders.CanonicalName(provider), CloudProviders.NamesOf(provider));
    }

    [Fact]
    public void Other_has_no_canonical_name()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CloudProviders.CanonicalName(CloudProvider.Other));
        Assert.Equal("provider", ex.ParamName);
    }

    [Fact]
    public void NamesOf_lists_exactly_the_documented_spellings_of_each_provider()
    {
        var expected = Spellings.Select(row => ((string)row[0], (CloudProvider)row[1])).ToList();
        foreach (var provider in Enum.GetValues<CloudProvider>())
        {
            Assert.Equal(
                expected.Where(e => e.Item2 == provider).Select(e => e.Item1).Order(StringComparer.Ordinal),
                CloudProviders.NamesOf(provider).Order(StringComparer.Ordinal));
        }

        Assert.Empty(CloudProviders.NamesOf(CloudProvider.Other));
    }

    [Fact]
    public void Every_name_NamesOf_lists_maps_back_to_its_provider()
    {
        foreach (var provider in Enum.GetValues<CloudProvider>().Where(p => p != CloudProvider.Other))
        {
            Assert.All(CloudProviders.NamesOf(provider), n => Assert.Equal(provider, CloudProviders.FromProviderName(n)));
        }
    }
}
