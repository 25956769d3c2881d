using Dwcp.Core.Focus;

namespace Dwcp.Ingest.Native;

/// <summary>Converts the records of one native format into FOCUS 1.2 rows.</summary>
internal abstract class NativeMapper
{
    /// <summary>Resolves the source columns once, after the header is known; marks the columns copied verbatim.</summary>
    public abstract void Bind(NativeRowContext c);

    /// <summary>Fills <paramref name="row"/> from the current record; problems go to the context as row errors.</summary>
    public abstract void Map(NativeRowContext c, FocusRow row);

    /// <summary>A refinement of the format found while binding (e.g. <c>amortized</c>), or null.</summary>
    public virtual string? Variant => null;

    /// <summary>FOCUS ServiceCategory values, spelled as the specification does.</summary>
    protected static class Category
    {
        public const string Ai = "AI and Machine Learning";
        public const string Analytics = "Analytics";
        public const string Compute = "Compute";
        public const string Databases = "Databases";
        public const string Developer = "Developer Tools";
        public const string Identity = "Identity";
        public const string Integration = "Integration";
        public const string Iot = "Internet of Things";
        public const string Management = "Management and Governance";
        public const string Media = "Media";
        public const string Migration = "Migration";
        public const string Networking = "Networking";
        public const string Security = "Security";
        public const string Storage = "Storage";
        public const string Web = "Web";
        public const string Other = "Other";
    }

    /// <summary>ServiceCategory by keywords in a service name or code (a fallback for services not in a provider table).</summary>
    protected static string CategoryByKeyword(string? service)
    {
        if (string.IsNullOrEmpty(service))
        {
            return Category.Other;
        }

        var s = " " + service.Replace('_', ' ').ToUpperInvariant() + " ";
        return s switch
        {
            _ when Has(s, "TAX") => Category.Other,
            _ when Has(s, "STORAGE", "S3", "BLOB", "OBJECT", "BACKUP", "FILE", "EFS", "DISK", "ARCHIVE", "GLACIER", "OSS", "COS") => Category.Storage,
            _ when Has(s, "SQL", "DATABASE", "DYNAMO", "RDS", "COSMOS", "REDIS", "CACHE", "MONGO", "SPANNER", "BIGTABLE", "DB") => Category.Databases,
            _ when Has(s, "NETWORK", "TRANSFER", "VPC", "DNS", "ROUTE", "CDN", "CLOUDFRONT", "GATEWAY", "LOAD BALANC", " IP ", "BANDWIDTH", "EIP", "SLB") => Category.Networking,
            _ when Has(s, "ANALYTIC", "BIGQUERY", "GLUE", "ATHENA", "DATABRICKS", "SYNAPSE", "KINESIS", "DATAFLOW", "MAXCOMPUTE") => Category.Analytics,
            _ when Has(s, " ML ", "MACHINE LEARNING", " AI ", "SAGEMAKER", "COGNITIVE", "VERTEX", "OPENAI", "WATSON") => Category.Ai,
            _ when Has(s, "KEY", "KMS", "SECRET", "SECURITY", "GUARD", "FIREWALL", "WAF", "SHIELD", "VAULT") => Category.Security,
            _ when Has(s, "IDENTITY", "ACTIVE DIRECTORY", "ENTRA", "IAM", "COGNITO") => Category.Identity,
            _ when Has(s, "QUEUE", "SQS", "SNS", "NOTIFICATION", "EVENT", "SERVICE BUS", "PUB/SUB", "PUBSUB", "STEP FUNCTIONS", "STATES", "LOGIC APP", "API MANAGEMENT") => Category.Integration,
            _ when Has(s, "MONITOR", "CLOUDWATCH", "CLOUDTRAIL", "LOGGING", "TELEMETRY", "CONFIG", "ADVISOR", "CLOUDSHELL", "SUPPORT", "AUDIT") => Category.Management,
            _ when Has(s, "IOT") => Category.Iot,
            _ when Has(s, "MIGRAT") => Category.Migration,
            _ when Has(s, "MEDIA", "VIDEO", "TRANSCOD") => Category.Media,
            _ when Has(s, "DEVOPS", "CODE", "BUILD", "ARTIFACT", "REPOSITOR", "APEX") => Category.Developer,
            _ when Has(s, "APP SERVICE", "WEB", "AMPLIFY", "FUNCTIONS") => Category.Web,
            _ when Has(s, "COMPUTE", "EC2", "VIRTUAL MACHINE", "LAMBDA", "CONTAINER", "KUBERNETES", "ECS", "EKS", "AKS", "GKE", "ECR", "INSTANCE", " VM", "FUNCTION") => Category.Compute,
            _ => Category.Other,
        };

        static bool Has(string s, params string[] words) => words.Any(w => s.Contains(w, StringComparison.Ordinal));
    }
}
