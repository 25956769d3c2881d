using Dwcp.Core;
using static Dwcp.Demo.Catalog.Skus;

namespace Dwcp.Demo.Catalog;

/// <summary>The Azure part of the estate: an EA enrollment and an MCA billing profile, seven subscriptions.</summary>
internal static class AzureCatalog
{
    public const string EnrollmentId = "84213957";
    public const string McaId = "7c5e1a3b-2f4d-4e6a-9b8c-0d1e2f3a4b5c:9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a_2019-05-31";
    public const string VirtualMachines = "Virtual Machines";
    public const string SqlDatabase = "Azure SQL Database";
    public const string SqlGeneralPurpose = "SQL Database Single General Purpose - Compute Gen5";
    public const string SqlBusinessCritical = "SQL Database Single Business Critical - Compute Gen5";
    public const decimal SqlBusinessCriticalPrice = 0.6787m;

    private const string Sub = "Subscription";
    private const string AzureRg = "/subscriptions/{acct}/resourceGroups/rg-{project}-{env}/providers/";

    public static ProviderCatalog Build() => new(
        CloudProvider.Azure,
        "Microsoft",
        "Microsoft",
        [
            new(EnrollmentId, "Brightwater Logistics EA", "Enrollment", "E0", 0.08m, 0.05m),
            new(McaId, "Brightwater Retail Ltd", "Billing Profile", "G0", 0.03m, 0.20m) { InvoiceIssuer = "Microsoft Ireland Operations Limited", TaxName = "VAT" },
        ],
        [
            new("3b9f2c14-6d8e-4a71-9c05-2e4f7a1b8d63", "bw-erp-prod", Sub, EnrollmentId, "prod", "Finance") { Regions = ["eastus", "centralus"] },
            new("a4c81e37-0b29-4f6d-8e13-5d7a9c2f4b10", "bw-apps-prod", Sub, EnrollmentId, "prod", "Engineering"),
            new("d27e5a90-3c4b-4e18-a6f2-8b1c0d9e7f35", "bw-apps-dev", Sub, EnrollmentId, "dev", "Engineering") { Regions = ["eastus"] },
            new("5f0a8b62-9d17-4c3e-b4a8-1e6c2d7f9a04", "bw-data-science-sandbox", Sub, EnrollmentId, "dev", "Data") { Regions = ["eastus"] },
            new("81d4c6f3-2a5b-4e97-8c10-7b3e9f5a2d68", "bw-identity-shared", Sub, EnrollmentId, "prod", "Security") { Regions = ["eastus"] },
            new("c63b7e15-8f2a-4d09-9e64-0a5b3c8d1f27", "bw-retail-prod", Sub, McaId, "prod", "Marketing") { Regions = ["westeurope", "eastus"] },
            new("0e9d3a72-5b6c-4f81-a2d7-6c4e8b1f3a59", "bw-retail-dev", Sub, McaId, "dev", "Marketing") { Regions = ["westeurope"] },
        ],
        [
            new("eastus", "East US", 1.00m),
            new("centralus", "Central US", 1.00m),
            new("westeurope", "West Europe", 1.18m),
        ],
        [
            new(VirtualMachines, "Compute", "Virtual Machines"),
            new("Storage", "Storage", "Object Storage"),
            new(SqlDatabase, "Databases", "Relational"),
            new("Azure Kubernetes Service", "Compute", "Containers"),
            new("Azure App Service", "Web", "Other (Web)"),
            new("Azure Cosmos DB", "Databases", "NoSQL"),
            new("Azure Monitor", "Management and Governance", "Observability"),
            new("Bandwidth", "Networking", "Data Transfer"),
            new("Azure Functions", "Compute", "Serverless Compute"),
            new("Azure Cache for Redis", "Databases", "Caching"),
            new("Azure Databricks", "Analytics", "Data Processing"),
            new("Microsoft Defender for Cloud", "Security", "CSPM"),
        ],
        Fleets);

    private static readonly FleetDef[] Fleets =
    [
        new(VirtualMachines, LineKind.Instance,
        [
            Hours("D4s v5", 0.192m, 3), Hours("D8s v5", 0.384m, 3), Hours("D16s v5", 0.768m, 1), Hours("E8s v5", 0.504m, 2),
            Hours("E16s v5", 1.008m, 1), Hours("F8s v2", 0.338m, 1), Hours("B4ms", 0.166m, 1),
        ])
        {
            Key = "azure-vm", Count = 45, ResourceType = "Virtual machine", IdPattern = AzureRg + "Microsoft.Compute/virtualMachines/{name}",
            NamePattern = "vm-{project}-{role}-{nn}", Roles = ["app", "svc", "sql", "batch", "build"], Growth = (0.005, 0.02),
        },
        new(VirtualMachines, LineKind.Instance, [Hours("D8s v5", 0.384m)])
        {
            Key = "azure-vm-ri", Count = 14, ResourceType = "Virtual machine", IdPattern = AzureRg + "Microsoft.Compute/virtualMachines/{name}",
            NamePattern = "vm-erp-app-{nn}", SubAccounts = ["bw-erp-prod"], Regions = ["eastus"], AlwaysOn = true, Stable = true, RetireCount = 3, RetireAt = 0.62,
        },
        new(VirtualMachines, LineKind.Pool, [Hours("D8s v5", 0.384m, 2), Hours("D16s v5", 0.768m)])
        {
            Key = "azure-vmss", Count = 8, ResourceType = "Virtual machine scale set", Quantity = (4, 16),
            IdPattern = AzureRg + "Microsoft.Compute/virtualMachineScaleSets/{name}", NamePattern = "vmss-{project}-{nn}",
            SubAccounts = ["bw-apps-prod", "bw-retail-prod"], Weekend = (0.6, 0.85), Growth = (0.01, 0.03), Noise = 0.05, PeakSeason = true,
        },
        new(VirtualMachines, LineKind.Pool, [Hours("NC6s v3", 3.06m)])
        {
            Count = 1, ResourceType = "Virtual machine scale set", Quantity = (1, 2),
            IdPattern = AzureRg + "Microsoft.Compute/virtualMachineScaleSets/{name}", NamePattern = "vmss-gpu-training-{nn}",
            SubAccounts = ["bw-data-science-sandbox"], Weekend = (0.1, 0.2), Noise = 0.1,
        },
        new("Storage", LineKind.Storage, [Storage("Hot LRS Data Stored", "Data Stored", 0.0208m, 3), Storage("Cool LRS Data Stored", "Data Stored", 0.0152m)])
        {
            Count = 25, ResourceType = "Storage account", Quantity = (5000, 60000),
            IdPattern = AzureRg + "Microsoft.Storage/storageAccounts/{name}", NamePattern = "stbw{hex8}", Growth = (0.015, 0.035), Noise = 0.003,
        },
        new("Storage", LineKind.Storage, [Storage("P30 LRS Disk", "Premium SSD Managed Disks", 0.132m, 3), Storage("E30 LRS Disk", "Standard SSD Managed Disks", 0.075m)])
        {
            Count = 30, ResourceType = "Disk", Quantity = (256, 2048), IdPattern = AzureRg + "Microsoft.Compute/disks/{name}",
            NamePattern = "disk-{project}-{nn}", Growth = (0.0, 0.01), Noise = 0.0,
        },
        new(SqlDatabase, LineKind.Instance, [UnitHours(SqlGeneralPurpose, "vCore", 0.2525m, "vCore-Hours")])
        {
            Key = "azure-sql", Count = 12, ResourceType = "SQL database", Sizes = [2, 4, 4, 8, 8, 8, 16],
            IdPattern = AzureRg + "Microsoft.Sql/servers/sql-{project}-{env}/databases/{name}", NamePattern = "sqldb-{project}-{nn}",
            SubAccounts = ["bw-erp-prod", "bw-apps-prod", "bw-apps-dev"], AlwaysOn = true,
        },
        new("Azure Kubernetes Service", LineKind.Instance, [Hours("Standard Uptime SLA", 0.10m)])
        {
            Count = 6, ResourceType = "Kubernetes service", IdPattern = AzureRg + "Microsoft.ContainerService/managedClusters/{name}",
            NamePattern = "aks-{project}-{nn}", AlwaysOn = true,
        },
        new("Azure App Service", LineKind.Instance, [Hours("P1 v3", 0.169m, 2), Hours("P2 v3", 0.338m)])
        {
            Count = 14, ResourceType = "App Service plan", IdPattern = AzureRg + "Microsoft.Web/serverfarms/{name}", NamePattern = "asp-{project}-{nn}",
            AlwaysOn = true,
        },
        new("Azure Cosmos DB", LineKind.Metered, [Metered("Serverless Request Units", "Request Units", 0.00000025m, "Request Units")])
        {
            Count = 8, ResourceType = "Azure Cosmos DB account", Quantity = (20000000, 300000000),
            IdPattern = AzureRg + "Microsoft.DocumentDB/databaseAccounts/{name}", NamePattern = "cosmos-{project}-{nn}",
            SubAccounts = ["bw-apps-prod", "bw-retail-prod", "bw-apps-dev"], Weekend = (0.6, 0.85), Growth = (0.01, 0.03), Noise = 0.06, PeakSeason = true,
        },
        new("Azure Monitor", LineKind.Metered, [Metered("Analytics Logs Data Ingestion", "Data Ingestion", 2.30m, "GB")])
        {
            Count = 6, ResourceType = "Log Analytics workspace", Quantity = (5, 40),
            IdPattern = AzureRg + "Microsoft.OperationalInsights/workspaces/{name}", NamePattern = "log-{project}-{nn}",
            Weekend = (0.75, 0.9), Growth = (0.01, 0.03), Noise = 0.05,
        },
        new("Bandwidth", LineKind.Metered, [Metered("Standard Data Transfer Out", "Data Transfer Out", 0.087m, "GB")])
        {
            Quantity = (200, 1500), SubAccounts = ["bw-erp-prod", "bw-apps-prod", "bw-retail-prod"], Regions = ["eastus", "westeurope"],
            Weekend = (0.6, 0.8), Growth = (0.01, 0.02), Noise = 0.08, PeakSeason = true,
        },
        new("Azure Functions", LineKind.Metered, [Metered("Standard Execution Time", "Execution Time", 0.000016m, "GB-Seconds")])
        {
            Count = 10, ResourceType = "Function app", Quantity = (100000, 1500000), IdPattern = AzureRg + "Microsoft.Web/sites/{name}",
            NamePattern = "func-{project}-{nn}", Weekend = (0.5, 0.8), Growth = (0.01, 0.04), Noise = 0.08,
        },
        new("Azure Cache for Redis", LineKind.Instance, [Hours("C3 Cache Instance", 0.45m)])
        {
            Count = 6, ResourceType = "Azure Cache for Redis", IdPattern = AzureRg + "Microsoft.Cache/Redis/{name}", NamePattern = "redis-{project}-{nn}",
            SubAccounts = ["bw-apps-prod", "bw-retail-prod", "bw-apps-dev"], AlwaysOn = true,
        },
        new("Azure Databricks", LineKind.Metered, [Metered("Premium Jobs Compute DBU", "Jobs Compute", 0.30m, "DBU-Hours")])
        {
            Count = 4, ResourceType = "Azure Databricks Service", Quantity = (100, 800),
            IdPattern = AzureRg + "Microsoft.Databricks/workspaces/{name}", NamePattern = "dbw-{project}-{nn}",
            SubAccounts = ["bw-data-science-sandbox", "bw-apps-prod"], Weekend = (0.3, 0.6), Growth = (0.0, 0.03), Noise = 0.12,
        },
        new("Microsoft Defender for Cloud", LineKind.Metered, [Metered("Defender for Servers Plan 2", "Node", 0.02m, "Hours")])
        {
            Quantity = (240, 1900), SubAccounts = ["bw-erp-prod", "bw-apps-prod", "bw-apps-dev", "bw-identity-shared", "bw-retail-prod"],
            Regions = ["eastus"], Growth = (0.0, 0.01), Noise = 0.02,
        },
    ];
}
