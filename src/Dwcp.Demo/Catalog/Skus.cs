namespace Dwcp.Demo.Catalog;

/// <summary>Short constructors for the SKU tables of the provider catalogs.</summary>
internal static class Skus
{
    /// <summary>Priced per hour of a machine, cluster or gateway.</summary>
    public static SkuDef Hours(string code, decimal price, double weight = 1) => new(code, "Compute Usage", price, "Hours", "Hours", weight);

    /// <summary>Priced per hour of a size unit (vCore, OCPU, ECPU, vCPU): quantity is hours x units.</summary>
    public static SkuDef UnitHours(string code, string meter, decimal price, string unit, double weight = 1) =>
        new(code, meter, price, unit, unit, weight);

    /// <summary>Priced per GB-month, consumed in GB-hours.</summary>
    public static SkuDef Storage(string code, string meter, decimal price, double weight = 1) =>
        new(code, meter, price, "GB-Months", "GB-Hours", weight);

    /// <summary>Priced per unit of a metered quantity (GB, requests, seconds ...).</summary>
    public static SkuDef Metered(string code, string meter, decimal price, string unit, double weight = 1) =>
        new(code, meter, price, unit, unit, weight);
}
