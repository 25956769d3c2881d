namespace Dwcp.Core;

/// <summary>The clouds the product guide names, plus <see cref="Other"/> for any other FOCUS ProviderName.</summary>
public enum CloudProvider
{
    /// <summary>Amazon Web Services.</summary>
    Aws,
    /// <summary>Microsoft Azure.</summary>
    Azure,
    /// <summary>Google Cloud.</summary>
    Gcp,
    /// <summary>Oracle Cloud Infrastructure.</summary>
    Oracle,
    /// <summary>IBM Cloud.</summary>
    Ibm,
    /// <summary>Alibaba Cloud.</summary>
    Alibaba,
    /// <summary>Any other provider; its raw ProviderName is kept beside it.</summary>
    Other,
}

/// <summary>Maps FOCUS ProviderName values onto <see cref="CloudProvider"/> and back.</summary>
public static class CloudProviders
{
    private static readonly (CloudProvider Provider, string[] Names)[] Known =
    [
        (CloudProvider.Aws, ["AWS", "Amazon Web Services", "Amazon Web Services, Inc.", "Amazon"]),
        (CloudProvider.Azure, ["Microsoft", "Azure", "Microsoft Azure", "Microsoft Corporation"]),
        (CloudProvider.Gcp, ["Google Cloud", "Google", "GCP", "Google Cloud Platform", "Google LLC"]),
        (CloudProvider.Oracle, ["Oracle", "OCI", "Oracle Cloud Infrastructure", "Oracle Cloud"]),
        (CloudProvider.Ibm, ["IBM", "IBM Cloud"]),
        (CloudProvider.Alibaba, ["Alibaba Cloud", "Alibaba", "Aliyun", "Alibaba Cloud International"]),
    ];

    /// <summary>The canonical ProviderName our own data (demo, converters) writes for each provider.</summary>
    public static string CanonicalName(CloudProvider provider) => provider switch
    {
        CloudProvider.Aws => "AWS",
        CloudProvider.Azure => "Microsoft",
        CloudProvider.Gcp => "Google Cloud",
        CloudProvider.Oracle => "Oracle",
        CloudProvider.Ibm => "IBM",
        CloudProvider.Alibaba => "Alibaba Cloud",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Other has no canonical name."),
    };

    /// <summary>Maps a FOCUS ProviderName (case-insensitive) to a provider; unknown names give <see cref="CloudProvider.Other"/>.</summary>
    public static CloudProvider FromProviderName(string? providerName)
    {
        if (string.IsNullOrWhiteSpace(providerName))
        {
            return CloudProvider.Other;
        }

        var name = providerName.Trim();
        foreach (var (provider, names) in Known)
        {
            if (names.Any(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                return provider;
            }
        }

        return CloudProvider.Other;
    }

    /// <summary>All ProviderName spellings that map to a provider (for filtering on the provider enum).</summary>
    public static IReadOnlyList<string> NamesOf(CloudProvider provider) =>
        Known.FirstOrDefault(k => k.Provider == provider).Names ?? [];
}
