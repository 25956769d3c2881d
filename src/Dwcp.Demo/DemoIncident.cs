using System.Text.Json.Serialization;
using Dwcp.Core;

namespace Dwcp.Demo;

/// <summary>The FOCUS dimension an anomaly detector should name as the cause of an injected incident.</summary>
public enum DemoRootCauseDimension
{
    /// <summary>RegionId.</summary>
    Region,
    /// <summary>ResourceId.</summary>
    Resource,
    /// <summary>SubAccountId.</summary>
    SubAccount,
    /// <summary>SkuId.</summary>
    Sku,
    /// <summary>ChargeCategory.</summary>
    ChargeCategory,
    /// <summary>PricingCategory.</summary>
    PricingCategory,
}

/// <summary>A cost incident injected into the demo data, with the answer an anomaly detector should find.</summary>
/// <param name="Id">Stable identifier, e.g. <c>INC-01</c>.</param>
/// <param name="StartDate">First UTC day with extra cost.</param>
/// <param name="EndDate">Last UTC day with extra cost (inclusive).</param>
/// <param name="Provider">The cloud the incident happened in.</param>
/// <param name="ProviderName">The FOCUS ProviderName written on the affected rows.</param>
/// <param name="Service">The FOCUS ServiceName of the affected rows.</param>
/// <param name="BillingAccountId">The billing account of the affected rows.</param>
/// <param name="RootCauseDimension">The dimension that explains the extra cost.</param>
/// <param name="RootCauseValue">The value of <paramref name="RootCauseDimension"/> that carries the extra cost.</param>
/// <param name="ExtraCost">Total cost (USD, EffectiveCost and BilledCost alike) added over the incident.</param>
/// <param name="Description">What happened, in one or two sentences.</param>
public sealed record DemoIncident(
    string Id,
    DateOnly StartDate,
    DateOnly EndDate,
    CloudProvider Provider,
    string ProviderName,
    string Service,
    string BillingAccountId,
    DemoRootCauseDimension RootCauseDimension,
    string RootCauseValue,
    decimal ExtraCost,
    string Description)
{
    /// <summary>Number of days the incident lasts.</summary>
    [JsonIgnore]
    public int Days => EndDate.DayNumber - StartDate.DayNumber + 1;
}
