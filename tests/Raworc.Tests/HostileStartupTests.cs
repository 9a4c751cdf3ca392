using System.Diagnostics;

namespace Raworc.Tests;

/// <summary>
/// The published binary started in a hostile or careless environment: a broken, huge, nested or blocking login
/// file is one warning and the server goes on; a value out of range is exit 2 naming it; a password in a URL is
/// never printed.
/// </summary>
public sealed class HostileStartupTests
{
    private const string Password = "hunter2-pw-8d1f";

    /// <summary>A home whose .raworc/auth.yaml holds <paramref name="yaml"/>, readable by its owner only.</summary>
    private static (string Home, string File) HomeWithAuthFile(string yaml)
    {
        string home = McpTestHost.EmptyHome();
        string file = Path.Combine(home, ".raworc", "auth.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, yaml);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (home, file);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "broken YAML", "a: [x\nb: c\n" },
        { "200 KB of nesting", "token: " + new string('[', 200 * 1024) + "\n" },
        { "16 KB of nesting", "token: " + new string('[', 16 * 1024 - 16) + "\n" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_login_file_that_is_needed_is_one_warning_and_the_server_serves(string name, string yaml)
    {
        var (home, file) = HomeWithAuthFile(yaml);

        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, BinaryProcess.Handshake, ("HOME", home));

        Assert.True(exit == 0, $"{name}: exit {exit}\n{stderr}");
        Assert.Contains("\"id\":\"init\"", stdout);
        Assert.Single(stderr.Split('\n'), l => l.Contains(file, StringComparison.Ordinal) && l.Contains("ignored", StringComparison.Ordinal));
        Assert.DoesNotContain("Unhandled", stderr);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_login_file_does_not_break_doctor_or_the_manifest(string name, string yaml)
    {
        var (home, file) = HomeWithAuthFile(yaml);

        var doctor = await BinaryProcess.RunAsync(["doctor"], null, ("HOME", home));
        var manifest = await BinaryProcess.RunAsync(["--manifest"], null, ("HOME", home));

        Assert.True(doctor.Exit == 1, $"{name}: doctor exit {doctor.Exit} (1: the API is unreachable)\n{doctor.Stderr}");
        Assert.Contains($"! {file}", doctor.Stdout);
        Assert.Equal(0, manifest.Exit);
        Assert.Contains("\"tools\"", manifest.Stdout);
    }

    [Fact]
    public async Task A_login_file_that_is_not_needed_is_not_read()
    {
        var (home, file) = HomeWithAuthFile("a: [x\nb: c\n");

        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, BinaryProcess.Handshake, ("HOME", home), ("RAWORC_AUTH_TOKEN", "env-token"));

        Assert.Equal(0, exit);
        Assert.Contains("\"id\":\"init\"", stdout);
        Assert.DoesNotContain(file, stderr);
    }

    [Fact]
    public async Task A_fifo_at_the_login_file_path_does_not_hold_start_up()
    {
        if (OperatingSystem.IsWindows()) return;
        string home = McpTestHost.EmptyHome();
        string file = Path.Combine(home, ".raworc", "auth.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using (var mkfifo = Process.Start("mkfifo", [file])!) await mkfifo.WaitForExitAsync();

        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, BinaryProcess.Handshake, ("HOME", home));

        Assert.Equal(0, exit);
        Assert.Contains("\"id\":\"init\"", stdout);
        Assert.Contains($"{file} is empty or not a regular file", stderr);
    }

    [Fact]
    public async Task A_login_file_readable_by_others_earns_one_warning()
    {
        if (OperatingSystem.IsWindows()) return;
        var (home, file) = HomeWithAuthFile("server: http://127.0.0.1:1\ntoken: abc\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (exit, _, stderr) = await BinaryProcess.RunAsync(null, "", ("HOME", home), ("RAWORC_API_URL", ""));

        Assert.Equal(0, exit);
        Assert.Single(stderr.Split('\n'), l => l.Contains($"chmod 600 {file}", StringComparison.Ordinal));
        Assert.Contains($"credentials from {file}", stderr); // still used
    }

    [Theory]
    [InlineData("RAWORC_TIMEOUT", "0.0001", "from 0.1 to 3600")]
    [InlineData("RAWORC_TIMEOUT", "1e9", "from 0.1 to 3600")]
    [InlineData("RAWORC_AUTH_TOKEN", "abc\r\nX-Injected: 1", "contains a line break")]
    [InlineData("RAWORC_DEFAULT_SPACE", "..", "not a valid space name")]
    public async Task A_value_out_of_range_exits_two_naming_the_variable(string variable, string value, string expected)
    {
        foreach (var arguments in new[] { Array.Empty<string>(), ["doctor"], ["--manifest"] })
        {
            var (exit, stdout, stderr) = await BinaryProcess.RunAsync(arguments, null, (variable, value));

            Assert.True(exit == 2, $"{string.Join(' ', arguments)}: exit {exit}\n{stderr}");
            Assert.Contains(variable, stderr);
            Assert.Contains(expected, stderr);
            Assert.Empty(stdout);
            Assert.DoesNotContain("Unhandled", stderr);
        }
    }

    [Fact]
    public async Task A_password_in_the_api_url_is_refused_and_never_printed()
    {
        string url = $"http://user:{Password}@127.0.0.1:{McpTestHost.FreePort()}/api/v0";
        foreach (var arguments in new[] { Array.Empty<string>(), ["doctor"] })
        {
            var (exit, stdout, stderr) = await BinaryProcess.RunAsync(arguments, BinaryProcess.Handshake, ("RAWORC_API_URL", url), ("LOG_LEVEL", "trace"));

            Assert.Equal(2, exit);
            Assert.Contains("RAWORC_API_URL", stderr);
            Assert.Contains("user name or password", stderr);
            Assert.DoesNotContain(Password, stdout + stderr);
        }
    }
}
