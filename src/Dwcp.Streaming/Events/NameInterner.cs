using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;

namespace Dwcp.Streaming.Events;

/// <summary>
/// Thread-safe string pool for metric, dimension and tag names/values decoded from UTF-8, so that repeated names cost no
/// allocation and compare by reference. Bounded: past <see cref="Capacity"/> entries new strings are returned unpooled.
/// UTF-8 lookups of ASCII names go first through a small two-way set-associative cache keyed by a hash of the bytes, so a
/// hot name costs a hash and a byte/char comparison instead of a transcode and a dictionary lookup.
/// </summary>
public sealed class NameInterner
{
    private const int CacheSets = 1 << 14; // two ways each: 32,768 references (256 KiB), allocated on first UTF-8 lookup
    private const int MaxCachedBytes = 128;
    private readonly ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private string?[]? _cache;

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">Most strings kept (default 1,000,000).</param>
    public NameInterner(int capacity = 1_000_000)
    {
        Capacity = capacity;
        _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Most strings kept.</summary>
    public int Capacity { get; }

    /// <summary>Strings currently pooled.</summary>
    public int Count => _pool.Count;

    /// <summary>Returns the pooled string equal to <paramref name="chars"/>, adding it when there is room.</summary>
    /// <param name="chars">Characters.</param>
    /// <returns>The pooled (or a new) string.</returns>
    public string Intern(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return "";
        }

        if (_lookup.TryGetValue(chars, out var found))
        {
            return found;
        }

        var text = chars.ToString();
        return _pool.Count < Capacity ? _pool.GetOrAdd(text, text) : text;
    }

    /// <summary>Returns the pooled string for a string (pooling it when there is room).</summary>
    /// <param name="text">Text.</param>
    /// <returns>The pooled string.</returns>
    public string Intern(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return "";
        }

        if (_pool.TryGetValue(text, out var found))
        {
            return found;
        }

        return _pool.Count < Capacity ? _pool.GetOrAdd(text, text) : text;
    }

    /// <summary>Decodes UTF-8 and interns the result; no allocation when the string is already pooled and short.</summary>
    /// <param name="utf8">UTF-8 bytes (already unescaped).</param>
    /// <returns>The pooled string.</returns>
    public string InternUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.Length > MaxCachedBytes)
        {
            return InternUtf8Uncached(utf8);
        }

        // The cache holds only ASCII strings (one char per byte), so equal bytes mean an equal string. Races between
        // threads can lose or duplicate an entry, never return a wrong one: each slot holds one immutable string.
        var cache = _cache ?? InitCache();
        var slot = (int)(XxHash3.HashToUInt64(utf8) & (CacheSets - 1)) * 2;
        var first = Volatile.Read(ref cache[slot]);
        if (first is not null && first.Length == utf8.Length && Ascii.Equals(utf8, first))
        {
            return first;
        }

        var second = Volatile.Read(ref cache[slot + 1]);
        if (second is not null && second.Length == utf8.Length && Ascii.Equals(utf8, second))
        {
            Volatile.Write(ref cache[slot + 1], first); // most recently used first: the older entry is the one evicted
            Volatile.Write(ref cache[slot], second);
            return second;
        }

        var text = InternUtf8Uncached(utf8);
        if (Ascii.IsValid(utf8))
        {
            Volatile.Write(ref cache[slot + 1], first);
            Volatile.Write(ref cache[slot], text);
        }

        return text;
    }

    private string InternUtf8Uncached(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= 256)
        {
            Span<char> buffer = stackalloc char[256];
            var length = Encoding.UTF8.GetChars(utf8, buffer);
            return Intern(buffer[..length]);
        }

        return Intern(Encoding.UTF8.GetString(utf8));
    }

    private string?[] InitCache()
    {
        Interlocked.CompareExchange(ref _cache, new string?[CacheSets * 2], null);
        return _cache;
    }
}
