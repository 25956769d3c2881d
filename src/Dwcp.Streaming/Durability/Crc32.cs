namespace Dwcp.Streaming.Durability;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF) as stored in log records
/// and checkpoints. Computed by <see cref="System.IO.Hashing.Crc32"/> (vectorised where the CPU allows); the value is the
/// same as the byte-at-a-time table routine the log format was defined with, so existing files stay readable.
/// </summary>
internal static class Crc32
{
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
