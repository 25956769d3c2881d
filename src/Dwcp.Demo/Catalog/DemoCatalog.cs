namespace Dwcp.Demo.Catalog;

/// <summary>The whole multi-cloud catalogue in its fixed order: AWS, Azure, Google Cloud, Oracle, IBM, Alibaba.</summary>
internal static class DemoCatalog
{
    /// <summary>Every provider, in generation order.</summary>
    public static IReadOnlyList<ProviderCatalog> Providers { get; } =
    [
        AwsCatalog.Build(),
        AzureCatalog.Build(),
        GcpCatalog.Build(),
        OtherCatalogs.Oracle(),
        OtherCatalogs.Ibm(),
        OtherCatalogs.Alibaba(),
    ];
}
