using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Generation;

namespace Dwcp.Demo.Estate;

/// <summary>
/// Turns the fixed catalogue into the seed's concrete estate: which resources exist, where, how big, how they are
/// tagged and when they start or stop. Every fleet draws from its own keyed random stream, so the estate depends
/// only on the seed, the window length and the catalogue order.
/// </summary>
internal static class EstateBuilder
{
    private const string Global = "global";
    private static readonly string[] TagKeys = ["Department", "Project", "Environment", "Owner"];

    /// <summary>Builds every usage line of the estate, in catalogue order.</summary>
    public static IReadOnlyList<UsageLine> Build(int seed, int windowDays)
    {
        var lines = new List<UsageLine>(800);
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        var providers = DemoCatalog.Providers;
        for (var p = 0; p < providers.Count; p++)
        {
            var provider = providers[p];
            for (var f = 0; f < provider.Fleets.Count; f++)
            {
                var rng = DemoRandom.For(seed, 1, (ulong)p, (ulong)f);
                var fleet = provider.Fleets[f];
                var growth = rng.Range(fleet.Growth.Min, fleet.Growth.Max);
                var ctx = new FleetContext(provider, fleet, rng, growth, windowDays, lines, usedIds);
                if (fleet.IdPattern is null)
                {
                    AddChargeLines(ctx);
                }
                else
                {
                    AddResources(ctx);
                }
            }
        }

        return lines;
    }

    private sealed record FleetContext(
        ProviderCatalog Provider,
        FleetDef Fleet,
        DemoRandom Rng,
        double Growth,
        int WindowDays,
        List<UsageLine> Lines,
        HashSet<string> UsedIds)
    {
        public Dictionary<string, int> NameCounters { get; } = new(StringComparer.Ordinal);
    }

    private static void AddChargeLines(FleetContext ctx)
    {
        var (provider, fleet, rng) = (ctx.Provider, ctx.Fleet, ctx.Rng);
        foreach (var sub in EligibleSubAccounts(provider, fleet))
        {
            foreach (var region in Regions(provider, fleet, sub))
            {
                var sku = fleet.Skus[rng.PickWeighted(fleet.Skus.Select(s => s.Weight).ToArray())];
                ctx.Lines.Add(NewLine(ctx, sub, region, sku) with
                {
                    BaseQuantity = rng.Range(fleet.Quantity.Min, fleet.Quantity.Max),
                    WeekendFactor = rng.Range(fleet.Weekend.Min, fleet.Weekend.Max),
                    MonthlyGrowth = ctx.Growth + rng.Range(-0.004, 0.004),
                    StartDay = fleet.StartsAt > 0 ? (int)(fleet.StartsAt * ctx.WindowDays) + rng.Between(0, 20) : 0,
                });
            }
        }
    }

    private static void AddResources(FleetContext ctx)
    {
        var (provider, fleet, rng) = (ctx.Provider, ctx.Fleet, ctx.Rng);
        var subs = EligibleSubAccounts(provider, fleet);
        var subWeights = subs.Select(s => s.Environment switch { "prod" => 3.0, "staging" => 1.2, _ => 1.5 }).ToArray();
        var roleOffset = rng.Between(0, fleet.Roles.Count - 1);
        for (var i = 0; i < fleet.Count; i++)
        {
            var sub = subs[rng.PickWeighted(subWeights)];
            var regions = Regions(provider, fleet, sub);
            var region = regions[rng.PickWeighted(regions.Select((_, k) => k == 0 ? 3.0 : 1.0).ToArray())];
            var sku = fleet.Skus[rng.PickWeighted(fleet.Skus.Select(s => s.Weight).ToArray())];
            var (tagsJson, tags, project) = Tags(rng, sub);
            var role = fleet.Roles[(i + roleOffset) % fleet.Roles.Count];
            var (id, name) = Identity(ctx, sub, region, project, role);
            var (start, end) = Lifecycle(ctx, i);
            ctx.Lines.Add(NewLine(ctx, sub, region, sku) with
            {
                ResourceId = id,
                ResourceName = name,
                TagsJson = tagsJson,
                NormalizedTags = tags,
                BaseQuantity = rng.Range(fleet.Quantity.Min, fleet.Quantity.Max),
                SizeUnits = rng.Pick(fleet.Sizes),
                Schedule = ScheduleFor(rng, fleet, sub),
                WeekendFactor = rng.Range(fleet.Weekend.Min, fleet.Weekend.Max),
                MonthlyGrowth = fleet.Kind == LineKind.Instance ? 0 : ctx.Growth + rng.Range(-0.004, 0.004),
                StartDay = start,
                EndDay = end,
            });
        }
    }

    private static UsageLine NewLine(FleetContext ctx, SubAccountDef sub, RegionDef? region, SkuDef sku)
    {
        var (provider, fleet) = (ctx.Provider, ctx.Fleet);
        var billing = provider.BillingAccount(sub.BillingAccountId);
        var list = Math.Round(sku.Price * (region?.PriceFactor ?? 1m), 10);
        var contracted = fleet.PricingCategory == "Dynamic"
            ? Math.Round(list * fleet.SpotShare, 10)
            : Math.Round(list * (1m - billing.NegotiatedDiscount), 10);
        var (skuId, skuPriceId) = SkuIds.For(provider.Provider, fleet.Service, sku.Code, region);
        return new UsageLine
        {
            Index = ctx.Lines.Count,
            Provider = provider,
            Fleet = fleet,
            BillingAccount = billing,
            SubAccount = sub,
            Region = region,
            Service = provider.Service(fleet.Service),
            Sku = sku,
            SkuId = skuId,
            SkuPriceId = skuPriceId,
            ListUnitPrice = list,
            ContractedUnitPrice = contracted,
            BaseQuantity = 0,
            Noise = fleet.Noise,
            Peak = fleet.PeakSeason && sub.Environment == "prod",
        };
    }

    private static SubAccountDef[] EligibleSubAccounts(ProviderCatalog provider, FleetDef fleet) =>
        fleet.SubAccounts.Count == 0 ? [.. provider.SubAccounts] : [.. fleet.SubAccounts.Select(provider.SubAccount)];

    private static RegionDef?[] Regions(ProviderCatalog provider, FleetDef fleet, SubAccountDef sub)
    {
        if (fleet.Regions is [Global])
        {
            return [null];
        }

        var candidates = fleet.Regions.Count == 0 ? provider.Regions.Select(r => r.Id).ToArray() : [.. fleet.Regions];
        var allowed = sub.Regions.Count == 0 ? candidates : candidates.Where(sub.Regions.Contains).ToArray();
        if (fleet.IdPattern is not null && allowed.Length == 0)
        {
            allowed = [sub.Regions.Count > 0 ? sub.Regions[0] : candidates[0]];
        }

        return [.. allowed.Select(provider.Region)];
    }

    private static Schedule ScheduleFor(DemoRandom rng, FleetDef fleet, SubAccountDef sub)
    {
        var draw = rng.NextDouble();
        if (fleet.Kind != LineKind.Instance || fleet.AlwaysOn)
        {
            return Schedule.AlwaysOn;
        }

        return sub.Environment switch
        {
            "prod" => Schedule.AlwaysOn,
            "staging" => draw < 0.5 ? Schedule.AlwaysOn : Schedule.Weekdays,
            _ => draw < 0.6 ? Schedule.OfficeHours : Schedule.Weekdays,
        };
    }

    private static (int Start, int End) Lifecycle(FleetContext ctx, int index)
    {
        var (fleet, rng, days) = (ctx.Fleet, ctx.Rng, ctx.WindowDays);
        var start = fleet.StartsAt > 0 ? (int)(fleet.StartsAt * days) + rng.Between(0, 20) : 0;
        var end = int.MaxValue;
        var churn = rng.NextDouble();
        var when = rng.Between(1, Math.Max(1, days - 1));
        var survive = rng.NextDouble();
        if (!fleet.Stable)
        {
            if (fleet.Kind == LineKind.Instance && ctx.Growth != 0)
            {
                var ratio = Compound(ctx.Growth, days / 30.4375);
                if (ctx.Growth > 0 && survive >= 1 / ratio)
                {
                    start = Math.Max(start, when);
                }
                else if (ctx.Growth < 0 && survive >= ratio)
                {
                    end = when;
                }
            }

            if (churn < 0.04)
            {
                start = Math.Max(start, when);
            }
            else if (churn < 0.07 && end == int.MaxValue)
            {
                end = Math.Max(when, start + 14);
            }
        }

        if (fleet.RetireCount > 0 && index >= fleet.Count - fleet.RetireCount)
        {
            end = (int)(fleet.RetireAt * days);
        }

        return (start, end);
    }

    /// <summary>(1 + g)^months with whole months multiplied out and the last part interpolated (no Math.Pow).</summary>
    public static double Compound(double g, double months)
    {
        var whole = (int)months;
        var factor = 1.0;
        for (var i = 0; i < whole; i++)
        {
            factor *= 1 + g;
        }

        return factor * (1 + (g * (months - whole)));
    }

    private static (string? Json, IReadOnlyList<KeyValuePair<string, string>> Pairs, string Project) Tags(DemoRandom rng, SubAccountDef sub)
    {
        var department = rng.Chance(0.8) ? Company.Department(sub.Department) : rng.Pick(Company.Departments);
        var project = rng.Pick(department.Projects);
        var owner = rng.Pick(department.Owners);
        var untaggedShare = sub.Environment switch { "prod" => 0.10, "staging" => 0.16, _ => 0.22 };
        var untagged = rng.Chance(untaggedShare);
        var partial = rng.NextDouble();
        if (untagged)
        {
            return (null, [], project);
        }

        string?[] values = [department.Name, partial < 0.03 ? null : project, sub.Environment, partial is >= 0.03 and < 0.09 ? null : owner];
        var pairs = new List<KeyValuePair<string, string>>(4);
        for (var k = 0; k < TagKeys.Length; k++)
        {
            if (values[k] is { } v)
            {
                pairs.Add(new(TagKeys[k], v));
            }
        }

        return (ToJson(pairs), pairs.AsReadOnly(), project);
    }

    private static string ToJson(List<KeyValuePair<string, string>> pairs)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in pairs)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (string Id, string Name) Identity(FleetContext ctx, SubAccountDef sub, RegionDef? region, string project, string role)
    {
        var (fleet, rng) = (ctx.Fleet, ctx.Rng);
        var regionId = region?.Id ?? Global;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["acct"] = sub.Id,
            ["region"] = regionId,
            ["zone"] = $"{regionId}-{rng.Pick(["a", "b", "c"])}",
            ["ociregion"] = regionId switch { "us-ashburn-1" => "iad", "us-phoenix-1" => "phx", _ => regionId },
            ["env"] = sub.Environment,
            ["project"] = project,
            ["role"] = role,
            ["nn"] = "\u0001",
        };
        var stem = Templates.Fill(fleet.NamePattern, values, rng);
        var n = ctx.NameCounters.GetValueOrDefault(stem) + 1;
        ctx.NameCounters[stem] = n;
        var name = stem.Contains('\u0001', StringComparison.Ordinal)
            ? stem.Replace("\u0001", n.ToString("D2", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : n == 1 ? stem : $"{stem}-{n}";
        values["name"] = name;
        var id = Templates.Fill(fleet.IdPattern!, values, rng);
        for (var attempt = 2; !ctx.UsedIds.Add(id); attempt++)
        {
            name = $"{name}-{attempt}";
            values["name"] = name;
            id = Templates.Fill(fleet.IdPattern!, values, rng);
        }

        return (id, name);
    }
}
