using Dwcp.Core;
using Dwcp.Demo.Catalog;

namespace Dwcp.Demo.Generation;

/// <summary>A credit granted on a day of some months (months counted from the window's first month, 0-based).</summary>
internal sealed record CreditDef(
    CloudProvider Provider,
    string BillingAccountId,
    string SubAccount,
    string Service,
    int FirstMonth,
    int LastMonth,
    int Day,
    decimal Amount,
    string Description);

/// <summary>The few credits of the estate: a migration programme, a promotion, an SLA credit.</summary>
internal static class Credits
{
    public static IReadOnlyList<CreditDef> All { get; } =
    [
        new(CloudProvider.Aws, AwsCatalog.PayerId, "bw-platform-prod", AwsCatalog.Ec2, 2, 7, 15, -2500.00m,
            "AWS Migration Acceleration Program (MAP) credit"),
        new(CloudProvider.Gcp, GcpCatalog.BillingAccountId, "bw-analytics-prod", GcpCatalog.BigQuery, 3, 5, 10, -1200.00m,
            "Google Cloud promotional credit: data warehouse migration"),
        new(CloudProvider.Azure, AzureCatalog.EnrollmentId, "bw-apps-prod", AzureCatalog.VirtualMachines, 8, 8, 20, -318.40m,
            "Service level agreement credit: Virtual Machines availability"),
        new(CloudProvider.Ibm, OtherCatalogs.IbmAccount, "bw-edi", "Event Streams", 1, 2, 3, -400.00m,
            "IBM Cloud promotional credit: Event Streams adoption"),
    ];

    /// <summary>Whether a credit is granted on a date.</summary>
    public static bool IsOn(CreditDef credit, DateOnly windowStart, DateOnly date)
    {
        var month = ((date.Year - windowStart.Year) * 12) + date.Month - windowStart.Month;
        return date.Day == credit.Day && month >= credit.FirstMonth && month <= credit.LastMonth;
    }
}
