using Dwcp.Core;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Generation;

namespace Dwcp.Demo.Estate;

/// <summary>
/// Stable SkuId and SkuPriceId values in each provider's own style, derived from a fixed hash of the service,
/// SKU code and region (so they do not depend on the seed: the same SKU always has the same id).
/// </summary>
internal static class SkuIds
{
    private const string UpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string UpperHex = "0123456789ABCDEF";

    /// <summary>The SkuId and SkuPriceId of a SKU in a region (null region for global SKUs).</summary>
    public static (string SkuId, string SkuPriceId) For(CloudProvider provider, string service, string skuCode, RegionDef? region)
    {
        var regionId = region?.Id ?? "global";
        var regional = SplitMix64.Hash($"{provider}|{service}|{skuCode}|{regionId}");
        var global = SplitMix64.Hash($"{provider}|{service}|{skuCode}");
        switch (provider)
        {
            case CloudProvider.Aws:
                var aws = Chars(regional, 16, UpperAlnum);
                return (aws, $"{aws}.JRTCKXETXF.6YS6EN2CT7");
            case CloudProvider.Azure:
                var product = $"DZH318{Chars(global, 6, UpperAlnum)}/{Chars(global ^ 0x5A5A, 4, "0123456789")}";
                var meter = Chars(regional, 32, "0123456789abcdef");
                return (product, $"{product}/{meter[..8]}-{meter[8..12]}-{meter[12..16]}-{meter[16..20]}-{meter[20..32]}");
            case CloudProvider.Gcp:
                var gcp = Chars(regional, 12, UpperHex);
                var gcpId = $"{gcp[..4]}-{gcp[4..8]}-{gcp[8..12]}";
                return (gcpId, $"{gcpId}/USD/0");
            case CloudProvider.Oracle:
                var part = "B" + Chars(global, 5, "0123456789");
                return (part, $"{part}-PAYG");
            case CloudProvider.Ibm:
                var plan = "D0" + Chars(global, 5, UpperAlnum);
                return (plan, $"{plan}:{regionId}");
            default:
                var ali = Chars(regional, 12, UpperAlnum);
                return (ali, $"{ali}-{regionId}");
        }
    }

    private static string Chars(ulong seed, int length, string alphabet)
    {
        var state = seed;
        return string.Create(length, alphabet, (span, a) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = a[(int)(SplitMix64.Next(ref state) % (ulong)a.Length)];
            }
        });
    }
}
