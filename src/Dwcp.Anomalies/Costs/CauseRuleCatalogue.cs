namespace Dwcp.Anomalies.Costs;

/// <summary>Broad service families the rules key on.</summary>
public enum ServiceFamily
{
    /// <summary>Anything else.</summary>
    Other,

    /// <summary>Virtual machines (EC2, Compute Engine, Virtual Machines).</summary>
    Compute,

    /// <summary>Object storage (S3, Cloud Storage, Blob Storage).</summary>
    ObjectStorage,

    /// <summary>Managed databases.</summary>
    Database,

    /// <summary>Functions / serverless containers.</summary>
    Serverless,

    /// <summary>Managed Kubernetes.</summary>
    Kubernetes,

    /// <summary>CDN, NAT, VPC, load balancing, data transfer.</summary>
    Network,

    /// <summary>Warehouses and query engines.</summary>
    Analytics,

    /// <summary>AI/ML platforms and model APIs.</summary>
    MachineLearning,

    /// <summary>Logging and monitoring.</summary>
    Observability,
}

/// <summary>What a rule sees: the service, its family, the direction of the change and the root-cause result.</summary>
public sealed record RuleContext(string Service, ServiceFamily Family, RootCauseResult RootCause)
{
    /// <summary>True when the total went up.</summary>
    public bool Increased => RootCause.Delta > 0;

    /// <summary>Contributors of a dimension that rose (delta &gt; 0).</summary>
    public IEnumerable<CostContributor> Rising(string dimension) =>
        RootCause.ByDimension.TryGetValue(dimension, out var list) ? list.Where(c => c.DollarDelta > 0) : [];

    /// <summary>Contributors of a dimension that fell (delta &lt; 0).</summary>
    public IEnumerable<CostContributor> Falling(string dimension) =>
        RootCause.ByDimension.TryGetValue(dimension, out var list) ? list.Where(c => c.DollarDelta < 0) : [];

    /// <summary>True when a rising value of <paramref name="dimension"/> contains one of <paramref name="words"/> and
    /// carries at least <paramref name="minShareOfDelta"/> of the total increase.</summary>
    public bool RisingMatches(string dimension, double minShareOfDelta, params string[] words) =>
        Rising(dimension).Any(c => Contains(c.Value, words) && Significant(c, minShareOfDelta));

    /// <summary>True when a falling value of <paramref name="dimension"/> contains one of <paramref name="words"/>.</summary>
    public bool FallingMatches(string dimension, double minShareOfDelta, params string[] words) =>
        Falling(dimension).Any(c => Contains(c.Value, words) && Significant(c, minShareOfDelta));

    /// <summary>New values of a dimension that carry at least the given share of the total increase.</summary>
    public bool HasNew(string dimension, double minShareOfDelta) =>
        Rising(dimension).Any(c => c.Change == ContributorChange.New && Significant(c, minShareOfDelta));

    internal static bool Contains(string value, string[] words) => words.Any(w => value.Contains(w, StringComparison.OrdinalIgnoreCase));

    private bool Significant(CostContributor c, double minShare)
    {
        var total = Math.Abs(RootCause.Delta);
        return total == 0 ? c.DollarDelta != 0 : (double)(Math.Abs(c.DollarDelta) / total) >= minShare;
    }
}

/// <summary>One catalogue rule.</summary>
/// <param name="Id">Stable id (documented in docs/anomalies.md).</param>
/// <param name="Families">Service families it applies to (empty = any).</param>
/// <param name="ProbableCause">Text added to <see cref="CostAnomaly.ProbableCauses"/>.</param>
/// <param name="RecommendedAction">Text added to <see cref="CostAnomaly.RecommendedActions"/>.</param>
/// <param name="Condition">When it fires.</param>
public sealed record CauseRule(string Id, IReadOnlyList<ServiceFamily> Families, string ProbableCause, string RecommendedAction, Func<RuleContext, bool> Condition);

/// <summary>The rule catalogue mapping a service and its contributors to probable causes and actions.</summary>
public static class CauseRuleCatalogue
{
    private static readonly (ServiceFamily Family, string[] Words)[] FamilyWords =
    [
        (ServiceFamily.Kubernetes, ["Kubernetes", "EKS", "AKS", "GKE", "OKE", "Container Service"]),
        (ServiceFamily.Serverless, ["Lambda", "Functions", "Cloud Run", "Fargate", "App Service", "Container Apps"]),
        (ServiceFamily.MachineLearning, ["SageMaker", "Vertex", "Bedrock", "OpenAI", "Machine Learning", "Cognitive", "AI "]),
        (ServiceFamily.Analytics, ["BigQuery", "Redshift", "Athena", "Synapse", "Databricks", "EMR", "Dataflow", "Glue", "Snowflake"]),
        (ServiceFamily.Database, ["RDS", "Aurora", "DynamoDB", "Cloud SQL", "Spanner", "SQL Database", "Cosmos", "Database", "ElastiCache", "Bigtable", "Firestore"]),
        (ServiceFamily.ObjectStorage, ["S3", "Simple Storage", "Cloud Storage", "Blob", "Object Storage", "Storage Account"]),
        (ServiceFamily.Observability, ["CloudWatch", "Logging", "Monitor", "Log Analytics", "Cloud Operations", "X-Ray"]),
        (ServiceFamily.Network, ["CloudFront", "CDN", "NAT", "VPC", "Load Balanc", "Data Transfer", "Bandwidth", "Networking", "Front Door", "Interconnect"]),
        (ServiceFamily.Compute, ["EC2", "Elastic Compute", "Compute Engine", "Virtual Machine", "Compute"]),
    ];

    private static readonly string[] TransferWords = ["DataTransfer", "Data Transfer", "Egress", "Transfer", "Bandwidth", "Traffic", "Outbound", "Internet Out", "Inter-Region", "InterZone"];

    /// <summary>The rules, in the order their causes are reported.</summary>
    public static IReadOnlyList<CauseRule> Rules { get; } =
    [
        new("storage-transfer", [ServiceFamily.ObjectStorage], "Unexpected data transfer charges",
            "Check which buckets serve the traffic; put a CDN in front or move consumers into the same region.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, TransferWords)),
        new("storage-requests", [ServiceFamily.ObjectStorage], "Request volume spike (API calls)",
            "Look for a client in a retry or listing loop; batch small objects; check lifecycle jobs.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Requests", "Request", "Operations", "API")),
        new("storage-growth", [ServiceFamily.ObjectStorage], "Stored data grew",
            "Review lifecycle rules (expiry, archive tiers) and versioning on the growing buckets.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "TimedStorage", "Storage-ByteHrs", "Storage", "Capacity")),
        new("compute-new-resources", [ServiceFamily.Compute, ServiceFamily.Kubernetes], "New instances launched",
            "Confirm the new instances are intended (owner tags); stop or right-size the ones that are not.",
            c => c.Increased && c.HasNew(CostDimensions.Resource, 0.2)),
        new("compute-gpu", [ServiceFamily.Compute, ServiceFamily.MachineLearning, ServiceFamily.Kubernetes], "GPU or accelerator usage increased",
            "Check GPU jobs finished and released their instances; prefer spot/preemptible for training.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "GPU", "p3.", "p4d", "p5.", "g4dn", "g5.", "A100", "H100", "V100", "T4", "TPU", "NC", "ND")),
        new("commitment-expired", [], "Commitment expired or under-utilised",
            "Renew or resize the reservation/savings plan; move steady workloads back under commitment.",
            c => c.Increased &&
                 (c.FallingMatches(CostDimensions.CommitmentStatus, 0.1, "Covered", "Used", "Reserved", "Committed") ||
                  c.FallingMatches(CostDimensions.PricingCategory, 0.1, "Committed", "Reserved", "Savings")) &&
                 (c.RisingMatches(CostDimensions.CommitmentStatus, 0.1, "Uncovered", "On-Demand", "OnDemand", "Not Covered") ||
                  c.RisingMatches(CostDimensions.PricingCategory, 0.1, "On-Demand", "OnDemand", "Standard"))),
        new("commitment-purchase", [], "Up-front commitment purchase",
            "Expected if a reservation or savings plan was bought; amortise it in reports instead of alerting.",
            c => c.Increased && c.RisingMatches(CostDimensions.ChargeCategory, 0.5, "Purchase")),
        new("credits-ended", [], "Credits or discounts ended",
            "Check credit expiry and promotional programmes; budget for the undiscounted run rate.",
            c => c.Increased && c.FallingMatches(CostDimensions.ChargeCategory, 0.2, "Credit", "Discount")),
        new("new-region", [], "Spend in a new region",
            "Confirm the deployment to the new region is intended; check for a misconfigured default region.",
            c => c.Increased && c.HasNew(CostDimensions.Region, 0.2)),
        new("new-account", [], "Spend in a new account",
            "Confirm the account's owner and budget; attach it to the right cost centre.",
            c => c.Increased && c.HasNew(CostDimensions.Account, 0.2)),
        new("network-egress", [ServiceFamily.Network, ServiceFamily.Compute, ServiceFamily.Kubernetes, ServiceFamily.Database], "Internet or cross-region egress increased",
            "Find the top talkers (flow logs); keep traffic in-region; cache at the edge.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, TransferWords)),
        new("nat-gateway", [ServiceFamily.Network, ServiceFamily.Compute, ServiceFamily.Kubernetes], "NAT gateway data processing grew",
            "Add VPC endpoints for storage/registries so traffic bypasses the NAT gateway.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "NatGateway", "NAT Gateway", "Cloud NAT")),
        new("serverless-invocations", [ServiceFamily.Serverless], "Invocation or duration spike",
            "Check for recursive triggers, retries and timeouts; cap concurrency.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Request", "Invocation", "Duration", "GB-Second", "vCPU-Second")),
        new("database-io", [ServiceFamily.Database], "Database I/O or provisioned throughput increased",
            "Look for missing indexes or full scans; review provisioned IOPS/throughput and autoscaling limits.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "IOPS", "I/O", "IO-", "ReadCapacity", "WriteCapacity", "RCU", "WCU", "Throughput")),
        new("database-backup", [ServiceFamily.Database, ServiceFamily.Compute, ServiceFamily.ObjectStorage], "Backup or snapshot storage grew",
            "Prune old snapshots and set retention policies.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Snapshot", "Backup")),
        new("analytics-scan", [ServiceFamily.Analytics], "Query scan volume increased",
            "Find the expensive queries; partition and cluster tables; set per-user byte limits.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Scanned", "Analysis", "Query", "Slot", "DBU", "TB")),
        new("logging-ingestion", [ServiceFamily.Observability], "Log or metric ingestion surged",
            "Find the noisy source; lower log levels or sample; shorten retention.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Ingest", "DataProcessing-Bytes", "Logs", "Metric", "Retention")),
        new("spot-price", [], "Spot/preemptible capacity fell back to on-demand or spot prices rose",
            "Diversify instance types for spot pools; check interruption rates.",
            c => c.Increased && c.FallingMatches(CostDimensions.PricingCategory, 0.1, "Dynamic", "Spot", "Preemptible") &&
                 c.RisingMatches(CostDimensions.PricingCategory, 0.1, "Standard", "On-Demand", "OnDemand")),
        new("ml-tokens", [ServiceFamily.MachineLearning], "Model usage (tokens/inference) increased",
            "Check which application drives the calls; cache responses; choose a smaller model where it suffices.",
            c => c.Increased && c.RisingMatches(CostDimensions.Sku, 0.2, "Token", "Inference", "Characters", "Endpoint")),
        new("tax-adjustment", [], "Tax or billing adjustment",
            "Usually not a usage change: confirm with the provider's invoice.",
            c => c.RisingMatches(CostDimensions.ChargeCategory, 0.5, "Tax", "Adjustment") || c.FallingMatches(CostDimensions.ChargeCategory, 0.5, "Adjustment")),
        new("resources-removed", [], "Resources stopped or deleted",
            "If unplanned, check for failed deployments or outages; otherwise confirm the savings.",
            c => !c.Increased && c.Falling(CostDimensions.Resource).Any(x => x.Change == ContributorChange.Gone && x.Share >= 0.2)),
        new("general-usage", [], "Usage of existing resources changed",
            "Review the top contributors listed with this anomaly.",
            _ => true),
    ];

    /// <summary>The family of a service name (keyword match; first family wins).</summary>
    public static ServiceFamily FamilyOf(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var (family, words) in FamilyWords)
        {
            if (RuleContext.Contains(service, words))
            {
                return family;
            }
        }

        return ServiceFamily.Other;
    }

    /// <summary>
    /// The rules that fire for a service and root-cause result; the last, generic rule fires exactly when no other does,
    /// so an anomaly always has at least one probable cause. Rules read every dimension, including one with a single
    /// value (the SKU of a one-SKU service is known, and its change is the whole change).
    /// </summary>
    public static IReadOnlyList<CauseRule> Match(string service, RootCauseResult rootCause)
    {
        var context = new RuleContext(service, FamilyOf(service), rootCause);
        var hits = Rules.Take(Rules.Count - 1)
            .Where(r => (r.Families.Count == 0 || r.Families.Contains(context.Family)) && r.Condition(context))
            .ToList();
        if (hits.Count == 0 && Rules[^1].Condition(context))
        {
            hits.Add(Rules[^1]);
        }

        return hits;
    }
}
