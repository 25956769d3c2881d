using System.Globalization;
using Dwcp.Core;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;

namespace Dwcp.Demo.Generation;

/// <summary>
/// Places the five injected incidents in the window and works out their effects. Additive incidents add usage to
/// their target lines worth 1.3-2.5x the service's median daily cost of the four weeks before; the SKU change moves
/// every General Purpose Azure SQL database to Business Critical (about 2.7x the price). No incident touches a line
/// that a commitment can cover, so the extra cost is billed and effective alike.
/// </summary>
internal sealed class IncidentPlanner
{
    private const int History = 28;
    private readonly int _seed;
    private readonly IReadOnlyList<UsageLine> _lines;
    private readonly DailyResolver _base;
    private readonly Window _window;

    private IncidentPlanner(int seed, IReadOnlyList<UsageLine> lines, UsageModel model)
    {
        _seed = seed;
        _lines = lines;
        _window = model.Window;
        _base = new DailyResolver(model, lines.Count, []);
    }

    /// <summary>The incidents and their effects; none when the window is shorter than 60 days.</summary>
    public static (IReadOnlyList<DemoIncident> Incidents, IReadOnlyList<IncidentEffect> Effects) Plan(
        int seed, IReadOnlyList<UsageLine> lines, UsageModel model)
    {
        if (model.Window.Days < 60)
        {
            return ([], []);
        }

        var planner = new IncidentPlanner(seed, lines, model);
        (DemoIncident Incident, IncidentEffect Effect)?[] planned =
        [
            planner.S3TransferSpike(),
            planner.LambdaRunaway(),
            planner.SqlTierChange(),
            planner.BigQuerySurge(),
            planner.CdnHotlinking(),
        ];
        var found = planned.OfType<(DemoIncident Incident, IncidentEffect Effect)>().ToArray();
        return ([.. found.Select(p => p.Incident)], [.. found.Select(p => p.Effect)]);
    }

    private (DemoIncident, IncidentEffect)? S3TransferSpike()
    {
        var rng = DemoRandom.For(_seed, 3, 1);
        var (start, end) = Place(rng, 0.22, 3, 5);
        var targets = _lines.Where(l => l.Fleet.Key == "aws-s3-transfer" && l.Region?.Id == "us-east-1").ToArray();
        if (targets.Length == 0)
        {
            return null;
        }

        var effect = Additive(rng, targets, start, end, 1.3, 2.0);
        var gb = effect.ExtraConsumed.Values.Sum(v => v.Sum()) / (end - start + 1);
        return (Incident(1, targets[0], start, end, effect, DemoRootCauseDimension.Region, "us-east-1",
            $"Data transfer out of Amazon S3 in us-east-1 spiked by about {Tb(gb)} TB a day: a partner integration re-downloaded the whole parcel-scan archive every hour until its sync job was fixed."), effect);
    }

    private (DemoIncident, IncidentEffect)? LambdaRunaway()
    {
        var rng = DemoRandom.For(_seed, 3, 2);
        var (start, end) = Place(rng, 0.36, 2, 4);
        var candidates = _lines.Where(l => l.Fleet.Key == "aws-lambda" && l.SubAccount.Environment == "prod" && l.IsActive(start) && l.IsActive(end)).ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }

        var target = rng.Pick(candidates);
        var effect = Additive(rng, [target], start, end, 1.5, 2.5);
        return (Incident(2, target, start, end, effect, DemoRootCauseDimension.Resource, target.ResourceId!,
            $"Lambda function {target.ResourceName} invoked itself recursively through an S3 event notification and ran flat out until the trigger was removed."), effect);
    }

    private (DemoIncident, IncidentEffect)? SqlTierChange()
    {
        var rng = DemoRandom.For(_seed, 3, 3);
        var (start, end) = Place(rng, 0.50, 4, 6);
        var targets = _lines.Where(l => l.Fleet.Key == "azure-sql" && l.IsActive(start)).ToArray();
        if (targets.Length == 0)
        {
            return null;
        }

        var sku = new SkuDef(AzureCatalog.SqlBusinessCritical, "vCore", AzureCatalog.SqlBusinessCriticalPrice, "vCore-Hours", "vCore-Hours");
        var swaps = new Dictionary<int, PriceSet>();
        foreach (var line in targets)
        {
            var (skuId, priceId) = SkuIds.For(CloudProvider.Azure, AzureCatalog.SqlDatabase, sku.Code, line.Region);
            var list = Math.Round(sku.Price * (line.Region?.PriceFactor ?? 1m), 10);
            swaps[line.Index] = new PriceSet(sku, skuId, priceId, list, Math.Round(list * (1m - line.BillingAccount.NegotiatedDiscount), 10));
        }

        var effect = new IncidentEffect { StartDay = start, EndDay = end, Swaps = swaps };
        return (Incident(3, targets[0], start, end, effect, DemoRootCauseDimension.Sku, swaps[targets[0].Index].SkuId,
            $"A Terraform module upgrade switched all {targets.Length} General Purpose Azure SQL databases of the EA subscriptions to the Business Critical tier; they were moved back after the cost alert."), effect);
    }

    private (DemoIncident, IncidentEffect)? BigQuerySurge()
    {
        var rng = DemoRandom.For(_seed, 3, 4);
        var (start, end) = Place(rng, 0.64, 5, 7);
        var targets = _lines.Where(l => l.Fleet.Key == "gcp-bigquery" && l.SubAccount.Name == "bw-marketing-analytics").ToArray();
        if (targets.Length == 0)
        {
            return null;
        }

        var effect = Additive(rng, targets, start, end, 1.3, 2.0);
        var tib = effect.ExtraConsumed.Values.Sum(v => v.Sum()) / (end - start + 1);
        return (Incident(4, targets[0], start, end, effect, DemoRootCauseDimension.SubAccount, targets[0].SubAccount.Id,
            string.Create(CultureInfo.InvariantCulture, $"A campaign dashboard in project bw-marketing-analytics refreshed every five minutes with an unpartitioned query, scanning about {tib:0} TiB a day more in BigQuery.")), effect);
    }

    private (DemoIncident, IncidentEffect)? CdnHotlinking()
    {
        var rng = DemoRandom.For(_seed, 3, 5);
        var (start, end) = Place(rng, 0.78, 3, 5);
        var candidates = _lines.Where(l => l.Fleet.Key == "ali-cdn" && l.IsActive(start) && l.IsActive(end)).ToArray();
        if (candidates.Length == 0)
        {
            return null;
        }

        var target = rng.Pick(candidates);
        var effect = Additive(rng, [target], start, end, 1.3, 2.0);
        return (Incident(5, target, start, end, effect, DemoRootCauseDimension.Resource, target.ResourceId!,
            $"Images on the CDN domain {target.ResourceName} were hot-linked by a reseller marketplace during a sales event, multiplying its traffic until referer protection was switched on."), effect);
    }

    /// <summary>A start day near <paramref name="slot"/> of the window with at least four weeks of history before it.</summary>
    private (int Start, int End) Place(DemoRandom rng, double slot, int minDays, int maxDays)
    {
        var days = rng.Between(minDays, maxDays);
        var start = (int)(slot * _window.Days) + rng.Between(-10, 10);
        start = Math.Clamp(start, History + 7, _window.Days - days - 1);
        return (start, start + days - 1);
    }

    /// <summary>Adds usage to target lines: per day, a multiple of the service's median daily cost, split by line cost.</summary>
    private IncidentEffect Additive(DemoRandom rng, UsageLine[] targets, int start, int end, double minFactor, double maxFactor)
    {
        var median = Median(ServiceDailyCosts(targets[0], start - History, start));
        var factor = Quantities.Quantize(rng.Range(minFactor, maxFactor), 6);
        var weights = targets.Select(t => Enumerable.Range(start - History, History).Sum(d => _base.Resolve(t, d).ContractedCost) + 0.01m).ToArray();
        var totalWeight = weights.Sum();
        var extra = new Dictionary<int, decimal[]>();
        for (var i = 0; i < targets.Length; i++)
        {
            extra[targets[i].Index] = new decimal[end - start + 1];
        }

        for (var day = 0; day <= end - start; day++)
        {
            var dayCost = median * factor * Quantities.Quantize(rng.Range(0.85, 1.15), 6);
            for (var i = 0; i < targets.Length; i++)
            {
                var cost = dayCost * weights[i] / totalWeight;
                var decimals = targets[i].Sku.PricingUnit is "GB-Seconds" ? 0 : 4;
                extra[targets[i].Index][day] = Math.Round(cost / targets[i].ContractedUnitPrice, decimals);
            }
        }

        return new IncidentEffect { StartDay = start, EndDay = end, ExtraConsumed = extra };
    }

    private decimal[] ServiceDailyCosts(UsageLine sample, int fromDay, int toDayExclusive)
    {
        var service = _lines.Where(l => l.Provider == sample.Provider && l.Service == sample.Service).ToArray();
        var costs = new decimal[toDayExclusive - fromDay];
        for (var d = fromDay; d < toDayExclusive; d++)
        {
            foreach (var line in service)
            {
                costs[d - fromDay] += _base.Resolve(line, d).ContractedCost;
            }
        }

        return costs;
    }

    private static decimal Median(decimal[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private DemoIncident Incident(int number, UsageLine sample, int start, int end, IncidentEffect effect,
        DemoRootCauseDimension dimension, string value, string description)
    {
        var with = new DailyResolver(_base.Model, _lines.Count, [effect]);
        var extra = 0m;
        foreach (var index in effect.Lines)
        {
            for (var day = start; day <= end; day++)
            {
                extra += with.Resolve(_lines[index], day).ContractedCost - _base.Resolve(_lines[index], day).ContractedCost;
            }
        }

        return new DemoIncident(
            $"INC-{number:D2}",
            _window.Date(start),
            _window.Date(end),
            sample.Provider.Provider,
            sample.Provider.ProviderName,
            sample.Service.Name,
            sample.BillingAccount.Id,
            dimension,
            value,
            RowFactory.TrimZeros(extra),
            description);
    }

    private static string Tb(decimal gb) => (gb / 1000m).ToString("0.0", CultureInfo.InvariantCulture);
}
