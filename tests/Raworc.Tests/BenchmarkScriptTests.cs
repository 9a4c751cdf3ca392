using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Raworc.Tests;

/// <summary>
/// Keeps scripts/bench.sh from rotting: its quick mode (no network, no npm, no peers) must run and print the
/// results table. It asserts nothing about the timings; benchmarks are never pass/fail tests.
/// </summary>
public sealed class BenchmarkScriptTests
{
    [Fact]
    public async Task Quick_benchmark_runs_and_prints_the_table()
    {
        string binary = PublishedBinaryTests.Binary();
        string root = RepoRoot();
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(root, "scripts", "bench.sh"));
        start.ArgumentList.Add("--quick");
        start.Environment["RAWORC_MCP_BINARY"] = binary;

        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"scripts/bench.sh --quick did not finish within 120 s. stderr: {await stderr}");
        }

        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"scripts/bench.sh --quick exited {process.ExitCode}. stderr: {await stderr}");
        Assert.Contains("| Metric | raworc-mcp ", output);
        Assert.Contains("| initialize — binary direct: median (ms) |", output);
        Assert.Contains("| tools/list: size (chars) |", output);
    }

    private static string RepoRoot([CallerFilePath] string testFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
}
