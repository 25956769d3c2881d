using Dwcp.Core;
using static Dwcp.Demo.Catalog.Skus;

namespace Dwcp.Demo.Catalog;

/// <summary>The Google Cloud part of the estate: one billing account, five projects, eleven services.</summary>
internal static class GcpCatalog
{
    public const string BillingAccountId = "01B4E2-7C9A3F-D51E08";
    public const string BigQuery = "BigQuery";

    private const string Project = "Project";

    public static ProviderCatalog Build() => new(
        CloudProvider.Gcp,
        "Google LLC",
        "Google LLC",
        [new(BillingAccountId, "Brightwater Logistics GCP", "Billing Account", "GCP", 0.0m, 0.05m)],
        [
            new("bw-analytics-prod", "bw-analytics-prod", Project, BillingAccountId, "prod", "Data") { Regions = ["us-central1", "us-east4"] },
            new("bw-analytics-dev", "bw-analytics-dev", Project, BillingAccountId, "dev", "Data") { Regions = ["us-central1"] },
            new("bw-ml-platform", "bw-ml-platform", Project, BillingAccountId, "prod", "Data") { Regions = ["us-central1"] },
            new("bw-marketing-analytics", "bw-marketing-analytics", Project, BillingAccountId, "prod", "Marketing") { Regions = ["us-central1", "europe-west1"] },
            new("bw-web-prod", "bw-web-prod", Project, BillingAccountId, "prod", "Engineering") { Regions = ["us-east4", "europe-west1"] },
        ],
        [
            new("us-central1", "Iowa", 1.00m),
            new("us-east4", "Northern Virginia", 1.126m),
            new("europe-west1", "Belgium", 1.10m),
        ],
        [
            new("Compute Engine", "Compute", "Virtual Machines"),
            new("Cloud Storage", "Storage", "Object Storage"),
            new(BigQuery, "Analytics", "Analytics Platform"),
            new("Cloud SQL", "Databases", "Relational"),
            new("Kubernetes Engine", "Compute", "Containers"),
            new("Cloud Run", "Compute", "Serverless Compute"),
            new("Cloud Pub/Sub", "Integration", "Messaging"),
            new("Networking", "Networking", "Data Transfer"),
            new("Vertex AI", "AI and Machine Learning", "Machine Learning"),
            new("Cloud Logging", "Management and Governance", "Observability"),
            new("Dataflow", "Analytics", "Data Processing"),
        ],
        Fleets);

    private const string Gce = "//compute.googleapis.com/projects/{acct}/zones/{zone}/";

    private static readonly FleetDef[] Fleets =
    [
        new("Compute Engine", LineKind.Instance,
        [
            Hours("n2-standard-4", 0.1942m, 2), Hours("n2-standard-8", 0.3885m, 3), Hours("n2-highmem-8", 0.524m, 1),
            Hours("e2-standard-4", 0.134m, 2), Hours("c2-standard-8", 0.4176m, 1),
        ])
        {
            Count = 30, ResourceType = "Instance", IdPattern = Gce + "instances/{name}", NamePattern = "{project}-{role}-{nn}",
            Roles = ["worker", "api", "etl", "airflow", "jupyter"], Growth = (0.005, 0.02),
        },
        new("Compute Engine", LineKind.Storage, [Storage("SSD backed PD Capacity", "Persistent Disk", 0.17m), Storage("Storage PD Capacity", "Persistent Disk", 0.04m, 2)])
        {
            Count = 20, ResourceType = "Disk", Quantity = (200, 4000), IdPattern = Gce + "disks/{name}", NamePattern = "{project}-disk-{nn}",
            Growth = (0.0, 0.015), Noise = 0.0,
        },
        new("Compute Engine", LineKind.Pool, [Hours("n2-standard-8", 0.3885m, 2), Hours("n2-highmem-8", 0.524m)])
        {
            Count = 6, ResourceType = "Managed Instance Group", Quantity = (4, 14), IdPattern = Gce + "instanceGroupManagers/{name}",
            NamePattern = "gke-{project}-pool-{nn}", Weekend = (0.6, 0.85), Growth = (0.01, 0.03), Noise = 0.05, PeakSeason = true,
        },
        new("Cloud Storage", LineKind.Storage, [Storage("Standard Storage US Multi-region", "Storage", 0.026m, 3), Storage("Nearline Storage Iowa", "Storage", 0.010m)])
        {
            Count = 20, ResourceType = "Bucket", Quantity = (3000, 60000), IdPattern = "//storage.googleapis.com/projects/_/buckets/{name}",
            NamePattern = "bw-{project}-{role}-{hex4}", Roles = ["landing", "exports", "models", "archive"], Growth = (0.02, 0.04), Noise = 0.003,
        },
        new(BigQuery, LineKind.Metered, [Metered("Analysis", "On-demand Analysis", 6.25m, "TiB")])
        {
            Key = "gcp-bigquery", Quantity = (2, 20), Regions = ["us-central1", "europe-west1"], Weekend = (0.35, 0.6), Growth = (0.03, 0.05),
            Noise = 0.12,
        },
        new(BigQuery, LineKind.Storage, [Storage("Active Logical Storage", "Storage", 0.02m)])
        {
            Count = 10, ResourceType = "Dataset", Quantity = (2000, 50000), IdPattern = "//bigquery.googleapis.com/projects/{acct}/datasets/{name}",
            NamePattern = "{role}_{nn}", Roles = ["shipments", "events", "finance", "web_analytics", "telemetry"],
            SubAccounts = ["bw-analytics-prod", "bw-marketing-analytics", "bw-ml-platform"], Growth = (0.03, 0.05), Noise = 0.002,
        },
        new("Cloud SQL", LineKind.Instance, [UnitHours("Cloud SQL for PostgreSQL: Zonal - vCPU + RAM", "vCPU", 0.0693m, "vCPU-Hours")])
        {
            Count = 8, ResourceType = "Instance", Sizes = [2, 4, 8, 8, 16], IdPattern = "//cloudsql.googleapis.com/projects/{acct}/instances/{name}",
            NamePattern = "{project}-pg-{nn}", AlwaysOn = true,
        },
        new("Kubernetes Engine", LineKind.Instance, [Hours("Regional Kubernetes Clusters", 0.10m)])
        {
            Count = 5, ResourceType = "Cluster", IdPattern = "//container.googleapis.com/projects/{acct}/locations/{region}/clusters/{name}",
            NamePattern = "gke-{project}-{nn}", AlwaysOn = true,
        },
        new("Cloud Run", LineKind.Metered, [Metered("CPU Allocation Time", "CPU", 0.000024m, "vCPU-Seconds")])
        {
            Count = 12, ResourceType = "Service", Quantity = (200000, 2000000), IdPattern = "//run.googleapis.com/projects/{acct}/locations/{region}/services/{name}",
            NamePattern = "{project}-{role}", Roles = ["api", "webhook", "renderer", "scheduler"], Weekend = (0.5, 0.8), Growth = (0.02, 0.05),
            Noise = 0.08, PeakSeason = true,
        },
        new("Cloud Pub/Sub", LineKind.Metered, [Metered("Message Delivery Basic", "Throughput", 40.0m, "TiB")])
        {
            Count = 6, ResourceType = "Topic", Quantity = (0.1, 1.0), IdPattern = "//pubsub.googleapis.com/projects/{acct}/topics/{name}",
            NamePattern = "{role}-events", Roles = ["shipment", "scan", "telemetry", "order", "invoice"], Weekend = (0.6, 0.85), Growth = (0.01, 0.03),
            Noise = 0.07,
        },
        new("Networking", LineKind.Metered, [Metered("Network Internet Egress from Americas to Americas", "Internet Egress", 0.12m, "GiB")])
        {
            Quantity = (100, 800), Weekend = (0.6, 0.85), Growth = (0.01, 0.03), Noise = 0.08, PeakSeason = true,
        },
        new("Vertex AI", LineKind.Pool, [Hours("Vertex AI: Online Prediction n1-standard-8", 0.4372m)])
        {
            Count = 4, ResourceType = "Endpoint", Quantity = (1, 4), IdPattern = "//aiplatform.googleapis.com/projects/{acct}/locations/{region}/endpoints/{num10}",
            NamePattern = "eta-prediction-{role}-{nn}", Roles = ["online", "batch"], SubAccounts = ["bw-ml-platform"], Growth = (0.06, 0.09), Noise = 0.04,
            StartsAt = 0.25,
        },
        new("Cloud Logging", LineKind.Metered, [Metered("Log Storage", "Log Volume", 0.50m, "GiB")])
        {
            Quantity = (10, 80), Weekend = (0.75, 0.9), Growth = (0.01, 0.03), Noise = 0.05,
        },
        new("Dataflow", LineKind.Pool, [UnitHours("Dataflow Batch vCPU", "vCPU", 0.056m, "vCPU-Hours")])
        {
            Count = 6, ResourceType = "Job", Quantity = (8, 48), IdPattern = "//dataflow.googleapis.com/projects/{acct}/locations/{region}/jobs/{name}",
            NamePattern = "{project}-{role}", Roles = ["daily-load", "enrich", "dedupe"], SubAccounts = ["bw-analytics-prod", "bw-marketing-analytics"],
            Weekend = (0.4, 0.7), Growth = (0.01, 0.03), Noise = 0.1,
        },
    ];
}
