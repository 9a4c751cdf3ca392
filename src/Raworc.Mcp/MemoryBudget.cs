namespace Raworc.Mcp;

/// <summary>
/// Keeps the resident size of this long-lived sidecar small. The workstation GC lets gen0 grow to about the CPU's
/// cache size (13 MB here) before its first collection, and Native AOT ignores the configuration knob that bounds it
/// (only the DOTNET_GCgen0size variable would). So after each tool call, once 4 MB have been allocated since the
/// last collection, a gen0 collection runs: well under a millisecond with this small live heap, every few hundred calls.
/// After a call that read a large API response, the collection is a full and aggressive one: large objects are only
/// reclaimed by a full collection, and giving their memory back keeps the next large response from adding to it.
/// </summary>
internal static class MemoryBudget
{
    private const long Gen0Budget = 4 * 1024 * 1024;
    private static long _collectedAt;

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
        else if (allocated - last > Gen0Budget && Interlocked.CompareExchange(ref _collectedAt, allocated, last) == last)
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }
    }
}
