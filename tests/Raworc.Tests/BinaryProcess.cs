using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Raworc.Tests;

/// <summary>
/// The published binary (see <see cref="PublishedBinaryTests.Binary"/>) as a child process with raw stdio: stdout is
/// read line by line into a channel, stderr kept whole. Its environment holds no RAWORC_* or LOG_LEVEL variable of the
/// test run, an empty HOME and, unless given, an API URL at a closed port on 127.0.0.1.
/// </summary>
public sealed class BinaryProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;

    private BinaryProcess(Process process)
    {
        _process = process;
        _stdoutPump = Task.Run(async () =>
        {
            try
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line) await _stdout.Writer.WriteAsync(line);
            }
            finally
            {
                _stdout.Writer.TryComplete();
            }
        });
        _stderrPump = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardError.ReadAsync(buffer)) > 0)
                lock (_stderr) _stderr.Append(buffer, 0, n);
        });
    }

    public Process Process => _process;

    /// <summary>stdin as raw bytes (UTF-8 lines, or anything else).</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    public ChannelReader<string> Stdout => _stdout.Reader;

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>An MCP initialize request and the initialized notification, as lines.</summary>
    public const string Handshake =
        """{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""" + "\n" +
        """{"jsonrpc":"2.0","method":"notifications/initialized"}""" + "\n";

    /// <summary>Writes the handshake and waits for the initialize answer.</summary>
    public async Task InitializeAsync()
    {
        await WriteAsync(Handshake);
        await ReadLineAsync(l => l.Contains("\"id\":\"init\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    public static string ClosedApiUrl() => $"http://127.0.0.1:{McpTestHost.FreePort()}/api/v0";

    public static BinaryProcess Start(IEnumerable<string>? arguments = null, IEnumerable<(string Name, string Value)>? environment = null)
    {
        string binary = PublishedBinaryTests.Binary();
        var info = new ProcessStartInfo(InheritsIgnoredInterrupt ? "/usr/bin/env" : binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
        };
        if (InheritsIgnoredInterrupt)
        {
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(binary);
        }
        foreach (var argument in arguments ?? []) info.ArgumentList.Add(argument);
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("RAWORC_", StringComparison.Ordinal) || k == "LOG_LEVEL").ToList())
            info.Environment.Remove(name);
        info.Environment["HOME"] = McpTestHost.EmptyHome();
        info.Environment["RAWORC_API_URL"] = ClosedApiUrl();
        foreach (var (name, value) in environment ?? []) info.Environment[name] = value;
        return new BinaryProcess(Process.Start(info)!);
    }

    /// <summary>
    /// True when this test run ignores SIGINT, as a run started in the background of a non-interactive shell does: the
    /// binary would inherit that (and the runtime, like a shell's jobs, leaves an ignored SIGINT ignored), so it is then
    /// started with SIGINT restored (coreutils' env), and a signal test tests the binary, not how the run was started.
    /// </summary>
    private static readonly bool InheritsIgnoredInterrupt = OperatingSystem.IsLinux()
        && File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) is { } ignored
        && (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;

    /// <summary>Runs to the end with <paramref name="stdin"/> as input (closed at once when null).</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string>? arguments, string? stdin = null,
        params (string Name, string Value)[] environment)
    {
        using var process = Start(arguments, environment);
        try
        {
            if (stdin is not null) await process.WriteAsync(stdin);
            process.CloseInput();
        }
        catch (IOException)
        {
            // A process that refuses its configuration may exit before reading its input; its exit code and output say why.
        }
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var stdout = new StringBuilder();
        await foreach (var line in process.Stdout.ReadAllAsync()) stdout.Append(line).Append('\n');
        return (exit, stdout.ToString(), process.Stderr);
    }

    public async Task WriteAsync(string text)
    {
        await Input.WriteAsync(Encoding.UTF8.GetBytes(text));
        await Input.FlushAsync();
    }

    public Task WriteLineAsync(string json) => WriteAsync(json + "\n");

    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>The next stdout line, or null when stdout ended.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _stdout.Reader.WaitToReadAsync(cts.Token) && _stdout.Reader.TryRead(out var line) ? line : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no stdout line within {timeout}; stderr:\n{Stderr}");
        }
    }

    /// <summary>Reads stdout lines until one matches.</summary>
    public async Task<string> ReadLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no matching stdout line within {timeout}; stderr:\n{Stderr}");
            var line = await ReadLineAsync(left) ?? throw new InvalidOperationException($"stdout ended; stderr:\n{Stderr}");
            if (match(line)) return line;
        }
    }

    /// <summary>Waits until stderr contains <paramref name="text"/>.</summary>
    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"stderr never showed '{text}':\n{Stderr}");
            if (_process.HasExited) throw new InvalidOperationException($"exited ({_process.ExitCode}) before '{text}':\n{Stderr}");
            await Task.Delay(10);
        }
    }

    /// <summary>Waits for the exit and both pipes to end; returns the exit code. Kills the process on time-out.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"still running after {timeout}; stderr:\n{Stderr}");
        }
        await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (TERM, INT, HUP) to the process.</summary>
    public void Signal(string name) => Process.Start("kill", [$"-{name}", _process.Id.ToString()])!.WaitForExit();

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
