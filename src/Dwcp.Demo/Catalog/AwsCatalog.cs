using Dwcp.Core;
using static Dwcp.Demo.Catalog.Skus;

namespace Dwcp.Demo.Catalog;

/// <summary>The AWS part of the estate: two payer accounts, eight linked accounts, fourteen services.</summary>
internal static class AwsCatalog
{
    public const string PayerId = "284910375562";
    public const string EuPayerId = "937514860279";
    public const string Ec2 = "Amazon Elastic Compute Cloud";
    public const string S3 = "Amazon Simple Storage Service";
    public const string Rds = "Amazon Relational Database Service";
    public const string Lambda = "AWS Lambda";
    public const string SavingsPlans = "Savings Plans for AWS Compute usage";

    private const string Linked = "Linked Account";

    public static ProviderCatalog Build() => new(
        CloudProvider.Aws,
        "Amazon Web Services, Inc.",
        "Amazon Web Services, Inc.",
        [
            new(PayerId, "Brightwater Logistics (Management)", "Management Account", "EUINUS", 0.06m, 0.05m),
            new(EuPayerId, "Brightwater Europe B.V.", "Management Account", "EUINNL", 0.04m, 0.21m) { InvoiceIssuer = "Amazon Web Services EMEA SARL", TaxName = "VAT" },
        ],
        [
            new("371958204613", "bw-platform-prod", Linked, PayerId, "prod", "Engineering") { Regions = ["us-east-1", "us-west-2"] },
            new("482069315724", "bw-data-prod", Linked, PayerId, "prod", "Data") { Regions = ["us-east-1", "us-west-2"] },
            new("593170426835", "bw-platform-staging", Linked, PayerId, "staging", "Engineering") { Regions = ["us-east-1"] },
            new("604281537946", "bw-dev-sandbox", Linked, PayerId, "dev", "Engineering") { Regions = ["us-east-1", "us-west-2"] },
            new("715392648057", "bw-shared-services", Linked, PayerId, "prod", "Platform") { Regions = ["us-east-1"] },
            new("826403759168", "bw-security", Linked, PayerId, "prod", "Security") { Regions = ["us-east-1"] },
            new("148625971380", "bw-eu-prod", Linked, EuPayerId, "prod", "Operations") { Regions = ["eu-west-1"] },
            new("259736082491", "bw-eu-dev", Linked, EuPayerId, "dev", "Operations") { Regions = ["eu-west-1"] },
        ],
        [
            new("us-east-1", "US East (N. Virginia)", 1.00m),
            new("us-west-2", "US West (Oregon)", 1.00m),
            new("eu-west-1", "Europe (Ireland)", 1.11m),
        ],
        [
            new(Ec2, "Compute", "Virtual Machines"),
            new(S3, "Storage", "Object Storage"),
            new(Rds, "Databases", "Relational"),
            new(Lambda, "Compute", "Serverless Compute"),
            new("Amazon CloudFront", "Networking", "Content Delivery"),
            new("Amazon DynamoDB", "Databases", "NoSQL"),
            new("Amazon Elastic Kubernetes Service", "Compute", "Containers"),
            new("Amazon Virtual Private Cloud", "Networking", "Network Management"),
            new("Amazon ElastiCache", "Databases", "Caching"),
            new("Amazon Redshift", "Databases", "Data Warehouse"),
            new("Amazon CloudWatch", "Management and Governance", "Observability"),
            new("Amazon Route 53", "Networking", "Other (Networking)"),
            new("AWS Key Management Service", "Security", "Credentials"),
            new("Amazon SageMaker", "AI and Machine Learning", "Machine Learning"),
            new(SavingsPlans, "Compute", "Other (Compute)"),
        ],
        Fleets);

    private static readonly FleetDef[] Fleets =
    [
        new(Ec2, LineKind.Instance,
        [
            Hours("m6i.xlarge", 0.192m, 3), Hours("m6i.2xlarge", 0.384m, 4), Hours("m6i.4xlarge", 0.768m, 3),
            Hours("c6i.4xlarge", 0.68m, 2), Hours("c6i.8xlarge", 1.36m, 1), Hours("r6i.2xlarge", 0.504m, 2),
            Hours("r6i.4xlarge", 1.008m, 2), Hours("m7g.2xlarge", 0.3264m, 2), Hours("t3.large", 0.0832m, 1),
        ])
        {
            Key = "aws-ec2", Count = 95, ResourceType = "Instance", IdPattern = "i-0{hex16}",
            Roles = ["api", "worker", "web", "etl", "kafka", "jenkins", "batch", "gateway"], Growth = (0.01, 0.025),
        },
        new(Ec2, LineKind.Pool, [Hours("m6i.2xlarge", 0.384m, 2), Hours("c6i.2xlarge", 0.34m, 1)])
        {
            Key = "aws-asg", Count = 12, ResourceType = "Auto Scaling Group", Quantity = (6, 20),
            IdPattern = "arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{guid}:autoScalingGroupName/{name}",
            NamePattern = "eks-{project}-ng-{nn}", Roles = ["ng"], SubAccounts = ["bw-platform-prod", "bw-data-prod", "bw-eu-prod"],
            Weekend = (0.6, 0.8), Growth = (0.01, 0.03), Noise = 0.06, PeakSeason = true,
        },
        new(Ec2, LineKind.Pool, [Hours("c6i.4xlarge", 0.68m)])
        {
            Key = "aws-spot", Count = 4, ResourceType = "Spot Fleet", Quantity = (10, 30), PricingCategory = "Dynamic", SpotShare = 0.36m,
            IdPattern = "arn:aws:ec2:{region}:{acct}:spot-fleet-request/sfr-{guid}", NamePattern = "{project}-spot-batch-{nn}",
            SubAccounts = ["bw-data-prod"], Weekend = (0.3, 0.5), Growth = (0.0, 0.02), Noise = 0.15,
        },
        new(Ec2, LineKind.Storage, [Storage("EBS:VolumeUsage.gp3", "Storage", 0.08m, 3), Storage("EBS:VolumeUsage.io2", "Storage", 0.125m)])
        {
            Key = "aws-ebs", Count = 40, ResourceType = "Volume", Quantity = (500, 8000), IdPattern = "vol-0{hex16}",
            Roles = ["data", "root", "logs"], Growth = (0.005, 0.02), Noise = 0.002,
        },
        new(S3, LineKind.Storage,
            [Storage("TimedStorage-ByteHrs", "Standard Storage", 0.023m, 4), Storage("TimedStorage-SIA-ByteHrs", "Infrequent Access Storage", 0.0125m)])
        {
            Key = "aws-s3", Count = 30, ResourceType = "Bucket", Quantity = (1000, 80000), IdPattern = "bw-{name}-{hex6}",
            NamePattern = "{project}-{role}", Roles = ["raw", "curated", "archive", "exports", "media", "backups"],
            Growth = (0.02, 0.04), Noise = 0.003,
        },
        new(S3, LineKind.Metered, [Metered("DataTransfer-Out-Bytes", "Data Transfer", 0.09m, "GB")])
        {
            Key = "aws-s3-transfer", Quantity = (300, 1500), SubAccounts = ["bw-platform-prod", "bw-data-prod", "bw-eu-prod"],
            Regions = ["us-east-1", "us-west-2", "eu-west-1"], Weekend = (0.6, 0.8), Growth = (0.01, 0.03), Noise = 0.1, PeakSeason = true,
        },
        new(Rds, LineKind.Instance,
            [Hours("db.r6g.xlarge", 0.478m, 2), Hours("db.m6g.2xlarge", 0.632m, 2), Hours("db.r6g.2xlarge", 0.955m), Hours("db.r6g.4xlarge", 1.91m, 0.5)])
        {
            Key = "aws-rds", Count = 18, ResourceType = "DB Instance", IdPattern = "arn:aws:rds:{region}:{acct}:db:{name}",
            Roles = ["db", "pg", "reporting-db"], Growth = (0.0, 0.015),
        },
        new(Rds, LineKind.Instance, [Hours("db.r6g.xlarge", 0.478m)])
        {
            Key = "aws-rds-ri", Count = 4, ResourceType = "DB Instance", IdPattern = "arn:aws:rds:{region}:{acct}:db:{name}",
            NamePattern = "shipping-api-orders-pg-{nn}", SubAccounts = ["bw-platform-prod"], Regions = ["us-east-1"], AlwaysOn = true, Stable = true,
        },
        new(Lambda, LineKind.Metered, [Metered("Lambda-GB-Second", "Compute Duration", 0.0000166667m, "GB-Seconds")])
        {
            Key = "aws-lambda", Count = 25, ResourceType = "Function", Quantity = (50000, 2000000),
            IdPattern = "arn:aws:lambda:{region}:{acct}:function:{name}",
            Roles = ["ingest", "notify", "resize", "webhook", "label-printer", "scan-events", "auth"],
            Weekend = (0.5, 0.8), Growth = (0.01, 0.04), Noise = 0.08, PeakSeason = true,
        },
        new("Amazon CloudFront", LineKind.Metered, [Metered("DataTransfer-Out-Bytes", "Data Transfer", 0.085m, "GB")])
        {
            Count = 4, ResourceType = "Distribution", Quantity = (300, 1500), IdPattern = "arn:aws:cloudfront::{acct}:distribution/E{HEX13}",
            Roles = ["cdn", "static"], SubAccounts = ["bw-platform-prod"], Regions = ["global"], Weekend = (0.7, 0.9), Growth = (0.01, 0.03),
            Noise = 0.08, PeakSeason = true,
        },
        new("Amazon DynamoDB", LineKind.Metered, [Metered("WriteRequestUnits", "Request", 0.00000125m, "Requests")])
        {
            Count = 12, ResourceType = "Table", Quantity = (2000000, 30000000), IdPattern = "arn:aws:dynamodb:{region}:{acct}:table/{name}",
            Roles = ["events", "sessions", "shipments", "labels", "idempotency"], SubAccounts = ["bw-platform-prod", "bw-eu-prod", "bw-platform-staging"],
            Weekend = (0.6, 0.85), Growth = (0.01, 0.03), Noise = 0.07, PeakSeason = true,
        },
        new("Amazon Elastic Kubernetes Service", LineKind.Instance, [Hours("AmazonEKS-Hours:perCluster", 0.10m)])
        {
            Count = 8, ResourceType = "Cluster", IdPattern = "arn:aws:eks:{region}:{acct}:cluster/{name}", NamePattern = "{project}-eks-{nn}",
            AlwaysOn = true,
        },
        new("Amazon Virtual Private Cloud", LineKind.Instance, [Hours("NatGateway-Hours", 0.045m)])
        {
            Count = 12, ResourceType = "NAT Gateway", IdPattern = "arn:aws:ec2:{region}:{acct}:natgateway/nat-0{hex16}",
            NamePattern = "{project}-nat-{nn}", AlwaysOn = true,
        },
        new("Amazon Virtual Private Cloud", LineKind.Metered, [Metered("NatGateway-Bytes", "NAT Gateway Data Processed", 0.045m, "GB")])
        {
            Quantity = (500, 3000), SubAccounts = ["bw-platform-prod", "bw-data-prod", "bw-eu-prod"], Regions = ["us-east-1", "eu-west-1"],
            Weekend = (0.6, 0.85), Growth = (0.01, 0.02), Noise = 0.07,
        },
        new("Amazon ElastiCache", LineKind.Instance, [Hours("cache.r6g.large", 0.206m, 2), Hours("cache.r6g.xlarge", 0.411m)])
        {
            Count = 10, ResourceType = "Cache Cluster", IdPattern = "arn:aws:elasticache:{region}:{acct}:cluster:{name}",
            Roles = ["redis", "cache"], SubAccounts = ["bw-platform-prod", "bw-platform-staging", "bw-eu-prod"],
        },
        new("Amazon Redshift", LineKind.Pool, [Hours("Node:ra3.4xlarge", 3.26m)])
        {
            Key = "aws-redshift", Count = 3, ResourceType = "Cluster", Quantity = (2, 6), IdPattern = "arn:aws:redshift:{region}:{acct}:cluster:{name}",
            NamePattern = "bw-dwh-{role}-{nn}", Roles = ["finance", "ops", "sales"], SubAccounts = ["bw-data-prod"], Regions = ["us-east-1"],
            Growth = (-0.07, -0.05), Noise = 0.0,
        },
        new("Amazon CloudWatch", LineKind.Metered, [Metered("DataProcessing-Bytes", "Log Ingestion", 0.50m, "GB")])
        {
            Quantity = (10, 120), Regions = ["us-east-1", "eu-west-1"], Weekend = (0.75, 0.9), Growth = (0.01, 0.03), Noise = 0.05,
        },
        new("Amazon Route 53", LineKind.Metered, [Metered("DNS-Queries", "DNS Query", 0.0000004m, "Queries")])
        {
            Count = 6, ResourceType = "Hosted Zone", Quantity = (5000000, 40000000), IdPattern = "arn:aws:route53:::hostedzone/Z{HEX13}",
            NamePattern = "{project}.brightwater.example", SubAccounts = ["bw-shared-services"], Regions = ["global"], Weekend = (0.7, 0.9),
            Growth = (0.0, 0.02), Noise = 0.05,
        },
        new("AWS Key Management Service", LineKind.Metered, [Metered("KMS-Requests", "API Request", 0.000003m, "Requests")])
        {
            Quantity = (200000, 5000000), Regions = ["us-east-1", "eu-west-1"], Weekend = (0.7, 0.9), Growth = (0.0, 0.02), Noise = 0.05,
        },
        new("Amazon SageMaker", LineKind.Pool, [Hours("ml.m5.xlarge", 0.23m, 2), Hours("ml.g5.2xlarge", 1.515m)])
        {
            Count = 5, ResourceType = "Endpoint", Quantity = (1, 4), IdPattern = "arn:aws:sagemaker:{region}:{acct}:endpoint/{name}",
            NamePattern = "eta-prediction-{role}-{nn}", Roles = ["endpoint", "shadow"], SubAccounts = ["bw-data-prod"], Regions = ["us-east-1"],
            Growth = (0.04, 0.07), Noise = 0.03, StartsAt = 0.15,
        },
    ];
}
