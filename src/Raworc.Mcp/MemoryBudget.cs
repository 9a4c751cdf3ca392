namespace Raworc.Mcp;

/// <summary>
/// Keeps the resident size of this long-lived sidecar small. The workstation GC lets gen0 grow to about the CPU's
/// cache size (13 MB here) before its first collection, and Native AOT ignores the configuration knob that bounds it
/// (only the DOTNET_GCgen0size variable would). So after each tool call, once 4 MB have been allocated since the
/// last collection, a gen0 collection runs: well under a millisecond with this small live heap, every few hundred calls.
/// After a call that read a large API response, the collection is a full and aggressive one: large objects are only
/// reclaimed by a full collection, and giving their memory back keeps the next large response from adding to it.
/// Under a heap limit (a pod) the GC would let garbage grow to near that limit before a full collection; so when the
/// heap is over <see cref="HighWater"/> after a call, a full collection runs, at most every <see cref="HighWaterEvery"/>.
/// </summary>
internal static class MemoryBudget
{
    private const long Gen0Budget = 4 * 1024 * 1024;

    /// <summary>Heap size above which garbage is not left to grow: well under a 256 MiB pod's 192 MiB heap.</summary>
    private const long HighWater = 80 * 1024 * 1024;

    private static readonly long HighWaterEvery = System.Diagnostics.Stopwatch.Frequency / 4;
    private static long _collectedAt;
    private static long _highWaterAt;

    /// <param name="readLargeResponse">The call read a large API response (<see cref="Raworc.Client.LargeResponseScope.TookGate"/>).</param>
    public static void AfterCall(bool readLargeResponse = false)
    {
        long allocated = GC.GetTotalAllocatedBytes();
        long last = Interlocked.Read(ref _collectedAt);
        if (readLargeResponse)
        {
            Interlocked.Exchange(ref _collectedAt, allocated);
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true); // and gives the memory back
        }
        else if (GC.GetTotalMemory(false) > HighWater && System.Diagnostics.Stopwatch.GetTimestamp() - Interlocked.Read(ref _highWaterAt) > HighWaterEvery)
        {
            Interlocked.Exchange(ref _highWaterAt, System.Diagnostics.Stopwatch.GetTimestamp());
            Interlocked.Exchange(ref _collectedAt, allocated);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        else if (allocated - last > Gen0Budget && Interlocked.CompareExchange(ref _collectedAt, allocated, last) == last)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }
    }
}
