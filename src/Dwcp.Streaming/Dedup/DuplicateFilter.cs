using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Dedup;

/// <summary>
/// Remembers 64-bit fingerprints (XXH64) of event ids for a retention span of event time. Ids live in open-addressing
/// tables (linear probing, load ≤ 0.5), one per time bucket of retention/4; buckets older than the newest minus the
/// retention are dropped whole. Memory stays within the byte budget: when a table cannot grow, the oldest bucket is
/// evicted early (counted in <see cref="EarlyEvictions"/>), which shortens the effective retention instead of growing.
/// Two different ids collide with probability ≈ n²/2^65 for n ids in retention. Not thread-safe.
/// </summary>
internal sealed class DuplicateFilter
{
    private const int BucketsPerRetention = 4;
    private const int InitialCapacity = 1024;
    private readonly long _bucketTicks;
    private readonly long _budgetBytes;
    private readonly List<Bucket> _buckets = []; // ordered by id, oldest first
    private long _newestBucket = long.MinValue;
    private ulong[]? _spare; // table of the last bucket rotated out, reused by the next bucket (counted in MemoryBytes)

    public DuplicateFilter(TimeSpan retention, long budgetBytes)
    {
        _bucketTicks = Math.Max(1, retention.Ticks / BucketsPerRetention);
        _budgetBytes = budgetBytes;
    }

    public long MemoryBytes { get; private set; }

    public long EarlyEvictions { get; private set; }

    public long Count
    {
        get
        {
            long n = 0;
            foreach (var bucket in _buckets)
            {
                n += bucket.Count;
            }

            return n;
        }
    }

    /// <summary>Fingerprint of an event id (never 0, which marks an empty slot).</summary>
    public static ulong Fingerprint(string eventId)
    {
        var h = Hash64.OfString(eventId, 0xD0D0);
        return h == 0 ? 1 : h;
    }

    /// <summary>Records the id; false when it was already seen within retention.</summary>
    public bool TryAdd(ulong fingerprint, long eventTicks)
    {
        foreach (var bucket in _buckets)
        {
            if (bucket.Contains(fingerprint))
            {
                return false;
            }
        }

        var id = eventTicks / _bucketTicks;
        if (id > _newestBucket)
        {
            _newestBucket = id;
            while (_buckets.Count > 0 && _buckets[0].Id <= _newestBucket - BucketsPerRetention - 1)
            {
                Drop(0, keepSpare: true);
            }
        }

        if (_buckets.Count > 0 && id < _buckets[0].Id)
        {
            id = _buckets[0].Id; // older than anything kept: remember it in the oldest bucket
        }

        var target = Find(id) ?? Create(id);
        if (target is null)
        {
            return true; // budget cannot hold even one table; nothing remembered (counted as eviction)
        }

        if (target.NeedsGrowth)
        {
            var extra = target.Table.Length * 8L;
            if (MemoryBytes + extra > _budgetBytes && _spare is not null)
            {
                MemoryBytes -= _spare.Length * 8L;
                _spare = null;
            }

            while (MemoryBytes + extra > _budgetBytes && _buckets.Count > 1 && _buckets[0] != target)
            {
                Drop(0);
                EarlyEvictions++;
            }

            if (MemoryBytes + extra <= _budgetBytes)
            {
                MemoryBytes += extra;
                target.Grow();
            }
            else if (target.IsFull)
            {
                MemoryBytes -= target.Table.Length * 8L;
                target.Clear();
                MemoryBytes += target.Table.Length * 8L;
                EarlyEvictions++;
            }
        }

        target.Insert(fingerprint);
        return true;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_newestBucket);
        writer.Write(EarlyEvictions);
        writer.Write(_buckets.Count);
        foreach (var bucket in _buckets)
        {
            writer.Write(bucket.Id);
            writer.Write(bucket.Count);
            foreach (var slot in bucket.Table)
            {
                if (slot != 0)
                {
                    writer.Write(slot);
                }
            }
        }
    }

    public void Read(BinaryReader reader)
    {
        _newestBucket = reader.ReadInt64();
        EarlyEvictions = reader.ReadInt64();
        var buckets = reader.ReadInt32();
        for (var b = 0; b < buckets; b++)
        {
            var id = reader.ReadInt64();
            var count = reader.ReadInt32();
            var bucket = Create(id) ?? throw new InvalidDataException("The checkpoint's duplicate filter does not fit DedupMemoryBudgetBytes; raise the budget.");
            for (var i = 0; i < count; i++)
            {
                var fp = reader.ReadUInt64();
                if (bucket.NeedsGrowth)
                {
                    MemoryBytes += bucket.Table.Length * 8L;
                    bucket.Grow();
                }

                bucket.Insert(fp);
            }
        }
    }

    private Bucket? Find(long id)
    {
        foreach (var bucket in _buckets)
        {
            if (bucket.Id == id)
            {
                return bucket;
            }
        }

        return null;
    }

    private Bucket? Create(long id)
    {
        Bucket bucket;
        if (_spare is { } spare)
        {
            _spare = null; // already counted in MemoryBytes
            Array.Clear(spare);
            bucket = new Bucket(id, spare);
        }
        else
        {
            // Size a new bucket like the newest one (same rate of ids): in steady state tables never regrow.
            var capacity = InitialCapacity;
            if (_buckets.Count > 0 && MemoryBytes + (_buckets[^1].Table.Length * 8L) <= _budgetBytes)
            {
                capacity = Math.Max(capacity, _buckets[^1].Table.Length);
            }

            var bytes = capacity * 8L;
            while (MemoryBytes + bytes > _budgetBytes && _buckets.Count > 0)
            {
                Drop(0);
                EarlyEvictions++;
            }

            if (MemoryBytes + bytes > _budgetBytes)
            {
                EarlyEvictions++;
                return null;
            }

            bucket = new Bucket(id, new ulong[capacity]);
            MemoryBytes += bytes;
        }

        var at = 0;
        while (at < _buckets.Count && _buckets[at].Id < id)
        {
            at++;
        }

        _buckets.Insert(at, bucket);
        return bucket;
    }

    private void Drop(int index, bool keepSpare = false)
    {
        var table = _buckets[index].Table;
        _buckets.RemoveAt(index);
        if (keepSpare && (_spare is null || _spare.Length < table.Length))
        {
            if (_spare is not null)
            {
                MemoryBytes -= _spare.Length * 8L;
            }

            _spare = table; // stays counted
            return;
        }

        MemoryBytes -= table.Length * 8L;
    }

    private sealed class Bucket(long id, ulong[] table)
    {
        public long Id { get; } = id;

        public ulong[] Table { get; private set; } = table;

        public int Count { get; private set; }

        public bool NeedsGrowth => (Count + 1) * 2 > Table.Length;

        public bool IsFull => (Count + 1) * 10 > Table.Length * 9;

        public bool Contains(ulong fingerprint)
        {
            var mask = Table.Length - 1;
            for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
            {
                var slot = Table[i];
                if (slot == fingerprint)
                {
                    return true;
                }

                if (slot == 0)
                {
                    return false;
                }
            }
        }

        public void Insert(ulong fingerprint)
        {
            var mask = Table.Length - 1;
            var i = (int)fingerprint & mask;
            while (Table[i] != 0)
            {
                if (Table[i] == fingerprint)
                {
                    return;
                }

                i = (i + 1) & mask;
            }

            Table[i] = fingerprint;
            Count++;
        }

        public void Grow()
        {
            var old = Table;
            Table = new ulong[old.Length * 2];
            Count = 0;
            foreach (var fp in old)
            {
                if (fp != 0)
                {
                    Insert(fp);
                }
            }
        }

        public void Clear()
        {
            Array.Clear(Table);
            Count = 0;
        }
    }
}
