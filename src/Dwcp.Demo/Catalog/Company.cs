namespace Dwcp.Demo.Catalog;

/// <summary>A department of the demo company, the projects it runs and the people who own resources.</summary>
internal sealed record DepartmentDef(string Name, IReadOnlyList<string> Projects, IReadOnlyList<string> Owners);

/// <summary>The fictional company behind the demo estate and its tag vocabulary.</summary>
internal static class Company
{
    /// <summary>The company name.</summary>
    public const string Name = "Brightwater Logistics";

    /// <summary>Departments, in a fixed order (tags are drawn from these).</summary>
    public static IReadOnlyList<DepartmentDef> Departments { get; } =
    [
        new("Engineering", ["parcel-tracking", "route-optimizer", "customer-portal", "shipping-api"],
            ["priya.nair@brightwater.example", "tom.becker@brightwater.example", "lena.okafor@brightwater.example"]),
        new("Data", ["data-lake", "demand-forecast", "bi-reporting", "eta-prediction"],
            ["marco.rossi@brightwater.example", "aiko.tanaka@brightwater.example"]),
        new("Platform", ["k8s-platform", "ci-cd", "observability"],
            ["sam.kowalski@brightwater.example", "nadia.haddad@brightwater.example"]),
        new("Finance", ["erp", "invoicing"],
            ["gareth.lewis@brightwater.example", "ines.moreau@brightwater.example"]),
        new("Marketing", ["web-storefront", "campaign-analytics"],
            ["chloe.martin@brightwater.example"]),
        new("Security", ["siem", "identity"],
            ["omar.farouk@brightwater.example"]),
        new("Operations", ["warehouse-iot", "edi-gateway", "fleet-telematics"],
            ["jonas.weber@brightwater.example", "mei.lin@brightwater.example"]),
    ];

    /// <summary>A department by name.</summary>
    public static DepartmentDef Department(string name) =>
        Departments.FirstOrDefault(d => d.Name == name) ?? throw new InvalidOperationException($"Unknown department '{name}'.");
}
