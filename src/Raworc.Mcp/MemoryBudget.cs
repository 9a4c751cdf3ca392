namespace Raworc.Mcp;

/// <summary>
/// Keeps the resident size of this long-lived sidecar small. The workstation GC lets gen0 grow to about the CPU's
/// cache size (13 MB here) before its first collection, and Native AOT ignores the configuration knob that bounds it
/// (only the DOTNET_GCgen0size variable would). So after each tool call, once 4 MB have been allocated since the
/// last collection, a gen0 collection runs: well under a millisecond with this small live heap, every few hundred calls.
/// </summary>
internal static class MemoryBudget
{
    private const long Gen0Budget = 4 * 1024 * 1024;
    private static long _collectedAt;

    public static void AfterCall()
    {
        long allocated = GC.GetTotalAllocatedBytes();
        long last = Interlocked.Read(ref _collectedAt);
        if (allocated - last > Gen0Budget && Interlocked.CompareExchange(ref _collectedAt, allocated, last) == last)
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }
}
