using System.Numerics;

namespace Dwcp.Streaming.Sketches;

/// <summary>
/// HyperLogLog distinct counter (Flajolet et al. 2007) over 64-bit hashes with m = 2^p one-byte registers and the
/// linear-counting correction for small cardinalities. Standard error ≈ 1.04/√m (p = 12: m = 4096, ≈ 1.6%, 4 KiB).
/// Mergeable (register-wise max). Not thread-safe.
/// </summary>
public sealed class HyperLogLog
{
    private readonly byte[] _registers;
    private readonly int _precision;

    /// <summary>Creates an empty counter.</summary>
    /// <param name="precision">p in [4, 16]; m = 2^p registers (default 12).</param>
    public HyperLogLog(int precision = 12)
    {
        if (precision is < 4 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "HyperLogLog precision must be 4 to 16 (12 gives about 1.6% error in 4 KiB).");
        }

        _precision = precision;
        _registers = new byte[1 << precision];
    }

    /// <summary>Number of registers m.</summary>
    public int RegisterCount => _registers.Length;

    /// <summary>Expected relative standard error 1.04/√m.</summary>
    public double StandardError => 1.04 / Math.Sqrt(_registers.Length);

    /// <summary>Adds an item by its 64-bit hash (use <see cref="Hash64"/>).</summary>
    /// <param name="hash">Well-mixed hash.</param>
    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - _precision));
        var rest = hash << _precision;
        var rank = rest == 0 ? (byte)(64 - _precision + 1) : (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    /// <summary>Adds a string item.</summary>
    /// <param name="item">Item.</param>
    public void Add(string item) => AddHash(Hash64.OfString(item, 0x5EED));

    /// <summary>Estimated number of distinct items added.</summary>
    /// <returns>The estimate.</returns>
    public double Estimate()
    {
        var m = (double)_registers.Length;
        double sum = 0;
        var zeros = 0;
        foreach (var r in _registers)
        {
            sum += Math.ScaleB(1.0, -r);
            if (r == 0)
            {
                zeros++;
            }
        }

        var alpha = _registers.Length switch
        {
            16 => 0.673,
            32 => 0.697,
            64 => 0.709,
            _ => 0.7213 / (1 + (1.079 / m)),
        };
        var estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log(m / zeros);
        }

        return estimate;
    }

    /// <summary>Merges another counter of the same precision (union).</summary>
    /// <param name="other">Other counter.</param>
    public void Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._precision != _precision)
        {
            throw new ArgumentException($"Cannot merge HyperLogLog of precision {other._precision} into {_precision}; use the same precision.", nameof(other));
        }

        for (var i = 0; i < _registers.Length; i++)
        {
            _registers[i] = Math.Max(_registers[i], other._registers[i]);
        }
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write((byte)_precision);
        writer.Write(_registers);
    }

    internal void Read(BinaryReader reader)
    {
        var precision = reader.ReadByte();
        if (precision != _precision)
        {
            throw new InvalidDataException($"Checkpoint holds a HyperLogLog of precision {precision}, expected {_precision}.");
        }

        reader.BaseStream.ReadExactly(_registers);
    }
}
