namespace Raworc.Mcp.Tools;

/// <summary>
/// What a polling loop ended with: the last value read, whether the condition was met, how long it took, and whether
/// the host ended it before its time (<see cref="Waits.EndAll"/>).
/// </summary>
internal readonly record struct PollOutcome<T>(T Last, bool Done, TimeSpan Elapsed, bool Ended = false);
