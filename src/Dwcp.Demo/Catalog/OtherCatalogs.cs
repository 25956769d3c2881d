using Dwcp.Core;
using static Dwcp.Demo.Catalog.Skus;

namespace Dwcp.Demo.Catalog;

/// <summary>The smaller clouds of the estate: Oracle (ERP), IBM (integration) and Alibaba (APAC commerce).</summary>
internal static class OtherCatalogs
{
    public const string OracleTenancy = "ocid1.tenancy.oc1..aaaaaaaa7xq3mbrightwatererp4kd2vlz6c5nfhy3qo1gw";
    public const string IbmAccount = "5c1f9e2ab4d84e7f9a3c6b1d0e8f2a47";
    public const string AlibabaAccount = "5518273644190082";
    public const string AlibabaCdn = "Alibaba Cloud CDN";

    public static ProviderCatalog Oracle() => new(
        CloudProvider.Oracle,
        "Oracle America, Inc.",
        "Oracle",
        [new(OracleTenancy, "brightwater-erp", "Tenancy", "OCI", 0.12m, 0.05m)],
        [
            new("ocid1.compartment.oc1..aaaaaaaaerpprod5j2k7m9q1w3e5r7t9y2u4i6o8p0a2s4d", "erp-prod", "Compartment", OracleTenancy, "prod", "Finance"),
            new("ocid1.compartment.oc1..aaaaaaaaerpnonprod3h5j7k9l1z3x5c7v9b1n3m5q7w9e", "erp-nonprod", "Compartment", OracleTenancy, "dev", "Finance"),
            new("ocid1.compartment.oc1..aaaaaaaafinrep8g6f4d2s0a8p6o4i2u0y8t6r4e2w0q8", "finance-reporting", "Compartment", OracleTenancy, "prod", "Finance"),
        ],
        [new("us-ashburn-1", "US East (Ashburn)", 1.00m), new("us-phoenix-1", "US West (Phoenix)", 1.00m)],
        [
            new("Compute", "Compute", "Virtual Machines"),
            new("Block Volume", "Storage", "Disk"),
            new("Object Storage", "Storage", "Object Storage"),
            new("Autonomous Database", "Databases", "Relational"),
            new("MySQL HeatWave", "Databases", "Relational"),
            new("Load Balancer", "Networking", "Load Balancing"),
        ],
        [
            new("Compute", LineKind.Instance, [UnitHours("Compute - Standard - E4 - OCPU", "OCPU", 0.049m, "OCPU-Hours")])
            {
                Count = 16, ResourceType = "Instance", Sizes = [2, 4, 8, 8, 16], IdPattern = "ocid1.instance.oc1.{ociregion}.{b32_60}",
                NamePattern = "{project}-{role}-{nn}", Roles = ["app", "concurrent-mgr", "forms", "batch"], Growth = (-0.01, 0.01),
            },
            new("Block Volume", LineKind.Storage, [Storage("Block Volume - Storage + Performance Units", "Storage", 0.0425m)])
            {
                Count = 14, ResourceType = "Block Volume", Quantity = (500, 4000), IdPattern = "ocid1.volume.oc1.{ociregion}.{b32_60}",
                NamePattern = "{project}-bv-{nn}", Growth = (0.0, 0.01), Noise = 0.0,
            },
            new("Object Storage", LineKind.Storage, [Storage("Object Storage - Storage", "Storage", 0.0255m)])
            {
                Count = 6, ResourceType = "Bucket", Quantity = (5000, 50000), IdPattern = "ocid1.bucket.oc1.{ociregion}.{b32_60}",
                NamePattern = "bw-{project}-{role}", Roles = ["backups", "exports", "archive"], Growth = (0.01, 0.03), Noise = 0.003,
            },
            new("Autonomous Database", LineKind.Instance, [UnitHours("Oracle Autonomous Transaction Processing - ECPU", "ECPU", 0.336m, "ECPU-Hours")])
            {
                Count = 8, ResourceType = "Autonomous Database", Sizes = [4, 8, 8, 12, 16], IdPattern = "ocid1.autonomousdatabase.oc1.{ociregion}.{b32_60}",
                NamePattern = "{project}atp{nn}", AlwaysOn = true,
            },
            new("MySQL HeatWave", LineKind.Instance, [UnitHours("MySQL Database - ECPU", "ECPU", 0.0386m, "ECPU-Hours")])
            {
                Count = 4, ResourceType = "DB System", Sizes = [8, 16, 16, 32], IdPattern = "ocid1.mysqldbsystem.oc1.{ociregion}.{b32_60}",
                NamePattern = "{project}-mysql-{nn}", AlwaysOn = true,
            },
            new("Load Balancer", LineKind.Instance, [UnitHours("Load Balancer - Flexible Bandwidth", "Bandwidth", 0.0001m, "Mbps-Hours")])
            {
                Count = 6, ResourceType = "Load Balancer", Sizes = [100, 200, 400], IdPattern = "ocid1.loadbalancer.oc1.{ociregion}.{b32_60}",
                NamePattern = "{project}-lb-{nn}", AlwaysOn = true,
            },
        ]);

    public static ProviderCatalog Ibm() => new(
        CloudProvider.Ibm,
        "International Business Machines Corporation",
        "IBM",
        [new(IbmAccount, "Brightwater Logistics IBM Cloud", "Enterprise", "IBM", 0.10m, 0.05m)],
        [
            new("8e2d4f6a1c3b5e7d9f0a2c4e6b8d0f13", "bw-mainframe-integration", "Account", IbmAccount, "prod", "Operations"),
            new("2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e24", "bw-edi", "Account", IbmAccount, "prod", "Operations"),
            new("6f8a0c2e4b6d8f1a3c5e7b9d1f3a5c35", "bw-ibm-dev", "Account", IbmAccount, "dev", "Operations"),
        ],
        [new("us-south", "Dallas", 1.00m), new("eu-de", "Frankfurt", 1.05m)],
        [
            new("Virtual Server for VPC", "Compute", "Virtual Machines"),
            new("Cloud Object Storage", "Storage", "Object Storage"),
            new("Red Hat OpenShift on IBM Cloud", "Compute", "Containers"),
            new("Databases for PostgreSQL", "Databases", "Relational"),
            new("Event Streams", "Integration", "Messaging"),
        ],
        [
            new("Virtual Server for VPC", LineKind.Instance, [Hours("bx2-4x16", 0.192m, 2), Hours("bx2-8x32", 0.384m, 2), Hours("mx2-8x64", 0.50m)])
            {
                Count = 12, ResourceType = "Virtual Server Instance", IdPattern = "crn:v1:bluemix:public:is:{region}-1:a/{acct}::instance:0717_{guid}",
                NamePattern = "{project}-vsi-{nn}", Growth = (0.0, 0.015),
            },
            new("Cloud Object Storage", LineKind.Storage, [Storage("Standard Regional Storage", "Storage", 0.022m)])
            {
                Count = 8, ResourceType = "Bucket", Quantity = (2000, 30000), IdPattern = "crn:v1:bluemix:public:cloud-object-storage:global:a/{acct}:{guid}:bucket:{name}",
                NamePattern = "bw-{project}-{role}", Roles = ["edi-archive", "mq-dumps", "reports"], Growth = (0.01, 0.03), Noise = 0.003,
            },
            new("Red Hat OpenShift on IBM Cloud", LineKind.Pool, [Hours("bx2.16x64 Worker Node (OCP entitlement)", 1.23m)])
            {
                Count = 3, ResourceType = "Cluster", Quantity = (3, 9), IdPattern = "crn:v1:bluemix:public:containers-kubernetes:{region}:a/{acct}:{hex20}::",
                NamePattern = "roks-{project}-{nn}", Weekend = (0.8, 0.95), Growth = (0.0, 0.02), Noise = 0.03,
            },
            new("Databases for PostgreSQL", LineKind.Instance, [UnitHours("Databases for PostgreSQL Standard - vCPU", "vCPU", 0.12m, "vCPU-Hours")])
            {
                Count = 4, ResourceType = "Database", Sizes = [3, 6, 6, 9], IdPattern = "crn:v1:bluemix:public:databases-for-postgresql:{region}:a/{acct}:{guid}::",
                NamePattern = "{project}-pg-{nn}", AlwaysOn = true,
            },
            new("Event Streams", LineKind.Instance, [Hours("Enterprise Base Capacity Unit", 4.37m)])
            {
                Count = 1, ResourceType = "Event Streams Instance", IdPattern = "crn:v1:bluemix:public:messagehub:{region}:a/{acct}:{guid}::",
                NamePattern = "es-edi-gateway-{nn}", SubAccounts = ["bw-edi"], AlwaysOn = true,
            },
        ]);

    public static ProviderCatalog Alibaba() => new(
        CloudProvider.Alibaba,
        "Alibaba Cloud (Singapore) Private Limited",
        "Alibaba Cloud",
        [new(AlibabaAccount, "Brightwater Logistics APAC", "Alibaba Cloud Account", "ALI", 0.05m, 0.09m) { TaxName = "GST" }],
        [
            new("1470258369012345", "bw-cn-commerce", "Resource Directory Member", AlibabaAccount, "prod", "Marketing") { Regions = ["cn-hangzhou", "cn-shanghai"] },
            new("1583691470123456", "bw-sg-logistics", "Resource Directory Member", AlibabaAccount, "prod", "Operations") { Regions = ["ap-southeast-1"] },
            new("1696802581234567", "bw-apac-dev", "Resource Directory Member", AlibabaAccount, "dev", "Engineering") { Regions = ["cn-hangzhou", "ap-southeast-1"] },
        ],
        [
            new("cn-hangzhou", "China (Hangzhou)", 1.00m),
            new("cn-shanghai", "China (Shanghai)", 1.00m),
            new("ap-southeast-1", "Singapore", 1.25m),
        ],
        [
            new("Elastic Compute Service", "Compute", "Virtual Machines"),
            new("Object Storage Service", "Storage", "Object Storage"),
            new("ApsaraDB RDS for MySQL", "Databases", "Relational"),
            new("Server Load Balancer", "Networking", "Load Balancing"),
            new(AlibabaCdn, "Networking", "Content Delivery"),
            new("Container Service for Kubernetes", "Compute", "Containers"),
        ],
        [
            new("Elastic Compute Service", LineKind.Instance,
                [Hours("ecs.g7.xlarge", 0.14m, 2), Hours("ecs.g7.2xlarge", 0.28m, 2), Hours("ecs.c7.2xlarge", 0.24m), Hours("ecs.r7.2xlarge", 0.36m)])
            {
                Count = 16, ResourceType = "Instance", IdPattern = "i-{b32_20}", NamePattern = "{project}-ecs-{nn}", Growth = (0.005, 0.02),
            },
            new("Object Storage Service", LineKind.Storage, [Storage("Standard LRS Storage", "Storage", 0.0173m)])
            {
                Count = 8, ResourceType = "Bucket", Quantity = (5000, 60000), IdPattern = "acs:oss:{region}:{acct}:bw-{name}", NamePattern = "{project}-{role}",
                Roles = ["media", "labels", "backups"], Growth = (0.02, 0.04), Noise = 0.003,
            },
            new("ApsaraDB RDS for MySQL", LineKind.Instance, [Hours("mysql.x4.xlarge.2c", 0.55m)])
            {
                Count = 6, ResourceType = "DB Instance", IdPattern = "rm-{b32_17}", NamePattern = "{project}-rds-{nn}", AlwaysOn = true,
            },
            new("Server Load Balancer", LineKind.Instance, [Hours("slb.s2.medium Specification Fee", 0.03m)])
            {
                Count = 6, ResourceType = "Load Balancer", IdPattern = "lb-{b32_20}", NamePattern = "{project}-slb-{nn}", AlwaysOn = true,
            },
            new(AlibabaCdn, LineKind.Metered, [Metered("Traffic - Chinese Mainland", "Downstream Traffic", 0.074m, "GB")])
            {
                Key = "ali-cdn", Count = 4, ResourceType = "Accelerated Domain", Quantity = (400, 3000), IdPattern = "{name}",
                NamePattern = "{role}.brightwater.cn", Roles = ["static", "img", "track", "m"], SubAccounts = ["bw-cn-commerce"], Regions = ["global"],
                Weekend = (0.9, 1.1), Growth = (0.01, 0.03), Noise = 0.08, PeakSeason = true,
            },
            new("Container Service for Kubernetes", LineKind.Instance, [Hours("ACK Pro Managed Cluster", 0.09m)])
            {
                Count = 3, ResourceType = "Cluster", IdPattern = "c{hex32}", NamePattern = "ack-{project}-{nn}", AlwaysOn = true,
            },
        ]);
}
