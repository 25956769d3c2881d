using System.Text.Json;

namespace Dwcp.Streaming.Events;

/// <summary>Property-name dispatch of the NDJSON parser.</summary>
public sealed partial class NdjsonEventParser
{
    private enum WireField
    {
        Unknown,
        EventId,
        Timestamp,
        EventType,
        Metrics,
        Tags,
        ResourceId,
        Provider,
        Region,
        Service,
        Account,
    }

    /// <summary>The field a property name (the current token) names: by length, then bytes; escaped names via the reader.</summary>
    private static WireField Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return IdentifyUnescaping(ref reader);
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 => name.SequenceEqual("tags"u8) ? WireField.Tags : WireField.Unknown,
            6 => name.SequenceEqual("region"u8) ? WireField.Region : WireField.Unknown,
            7 => name[0] switch
            {
                (byte)'m' when name.SequenceEqual("metrics"u8) => WireField.Metrics,
                (byte)'s' when name.SequenceEqual("service"u8) => WireField.Service,
                (byte)'a' when name.SequenceEqual("account"u8) => WireField.Account,
                _ => WireField.Unknown,
            },
            8 => name[0] switch
            {
                (byte)'e' when name.SequenceEqual("event_id"u8) => WireField.EventId,
                (byte)'p' when name.SequenceEqual("provider"u8) => WireField.Provider,
                _ => WireField.Unknown,
            },
            9 => name.SequenceEqual("timestamp"u8) ? WireField.Timestamp : WireField.Unknown,
            10 => name.SequenceEqual("event_type"u8) ? WireField.EventType : WireField.Unknown,
            11 => name.SequenceEqual("resource_id"u8) ? WireField.ResourceId : WireField.Unknown,
            _ => WireField.Unknown,
        };
    }

    private static WireField IdentifyUnescaping(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("event_id"u8) ? WireField.EventId
        : reader.ValueTextEquals("timestamp"u8) ? WireField.Timestamp
        : reader.ValueTextEquals("event_type"u8) ? WireField.EventType
        : reader.ValueTextEquals("metrics"u8) ? WireField.Metrics
        : reader.ValueTextEquals("tags"u8) ? WireField.Tags
        : reader.ValueTextEquals("resource_id"u8) ? WireField.ResourceId
        : reader.ValueTextEquals("provider"u8) ? WireField.Provider
        : reader.ValueTextEquals("region"u8) ? WireField.Region
        : reader.ValueTextEquals("service"u8) ? WireField.Service
        : reader.ValueTextEquals("account"u8) ? WireField.Account
        : WireField.Unknown;
}
