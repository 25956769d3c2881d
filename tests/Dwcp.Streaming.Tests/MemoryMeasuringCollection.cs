namespace Dwcp.Streaming.Tests;

/// <summary>
/// Tests that measure process-wide memory (<see cref="GC.GetTotalMemory(bool)"/>) run alone: another test class
/// allocating in parallel would otherwise show up as growth in their checks.
/// </summary>
[CollectionDefinition("Memory-measuring", DisableParallelization = true)]
public sealed class MemoryMeasuringCollection;
