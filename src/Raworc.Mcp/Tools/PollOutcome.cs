namespace Raworc.Mcp.Tools;

/// <summary>What a polling loop ended with: the last value read, whether the condition was met, and how long it took.</summary>
internal readonly record struct PollOutcome<T>(T Last, bool Done, TimeSpan Elapsed);
