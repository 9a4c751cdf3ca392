using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;
using Raworc.Mcp;
using Raworc.Mcp.Http;
using Raworc.Mcp.Tools;
using Raworc.Mcp.Transport;

// stdout carries JSON-RPC only: everything human-readable but --help, --version, --manifest and doctor goes to stderr.
CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"raworc-mcp: {e.Message}. Try 'raworc-mcp --help'.");
    return 2;
}

switch (command.Kind)
{
    case CommandKind.Help:
        Console.Out.WriteLine(CommandLine.HelpText());
        return 0;
    case CommandKind.Version:
        Console.Out.WriteLine($"{RaworcServer.Name} {RaworcServer.Version}");
        return 0;
}

ServerConfiguration configuration;
try
{
    configuration = ServerConfiguration.Load(flags: command);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"raworc-mcp: {e.Message}");
    return 2;
}

if (command.Kind == CommandKind.HealthCheck)
    return await HealthCheck.RunAsync(configuration.Http, Console.Error);

if (command.Kind == CommandKind.Doctor)
    return await Doctor.RunAsync(configuration, Console.Out);

// Null when the modes name an unknown tool set or tool (already reported): the caller exits 2.
RaworcServer? CreateServer(ILoggerFactory loggers)
{
    try
    {
        // Over HTTP the host's key ring, the same on every replica; over stdio one made for this process.
        return new RaworcServer(configuration, loggers, keys: configuration.Transport == TransportKind.Http ? configuration.Http.Keys : null);
    }
    catch (FormatException e)
    {
        Console.Error.WriteLine($"raworc-mcp: {e.Message}");
        return null;
    }
}

if (command.Kind == CommandKind.Manifest)
{
    using var quiet = LoggerFactory.Create(_ => { });
    using var described = CreateServer(quiet);
    if (described is null) return 2;
    Console.Out.WriteLine(Manifest.Create(described).ToJson());
    return 0;
}

// Every log line is masked for the known credentials: an exception or the API's own words may quote them.
using var loggerFactory = Logging.CreateFactory(configuration.LogLevel, configuration.JsonLogs).Masking(configuration.Raworc.Options.Secrets);
var log = loggerFactory.CreateLogger(Logging.ServerCategory);
foreach (var warning in configuration.Raworc.Warnings)
    log.LogWarning("{Warning}", warning);

bool http = configuration.Transport == TransportKind.Http;
log.LogInformation("Starting {Name} {Version} on {Transport} (API {ApiUrl} from {ApiUrlSource}; credentials {Credentials}; default space '{Space}')",
    RaworcServer.Name, RaworcServer.Version, http ? "HTTP" : "stdio", configuration.Raworc.Options.ApiUrl, configuration.Raworc.ApiUrlSource,
    http && !configuration.Http.SharedCredentials ? "from each request's bearer token"
        : $"from {configuration.Raworc.CredentialSource ?? "nowhere"}{(http ? " for requests without a bearer token" : "")}",
    configuration.DefaultSpace);
if (configuration.Raworc.CredentialSource is null && (!http || configuration.Http.SharedCredentials))
    log.LogWarning("No credentials: set RAWORC_AUTH_TOKEN, or RAWORC_USERNAME and RAWORC_PASSWORD, or log in with 'raworc auth'. Only health_check and get_version will work.");

using var raworc = CreateServer(loggerFactory);
if (raworc is null) return 2;
log.LogInformation("Modes: {Modes}", ToolSelection.DescribeModes(configuration));
foreach (var disabled in raworc.DisabledTools)
    log.LogDebug("Tool {Tool} is not offered: {Reason}", disabled.Entry.Name, disabled.Reason);

if (http)
{
    int code = await HttpServer.RunAsync(raworc, loggerFactory);
    log.LogInformation("Shut down");
    return code;
}

using var stop = new CancellationTokenSource();
string? stopReason = null;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true; // exit through the normal path, with exit code 0
    stopReason ??= context.Signal.ToString();
    stop.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sighup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

var transport = new StdioJsonRpcTransport(Console.OpenStandardInput(), Console.OpenStandardOutput(), loggerFactory);
transport.Start();
// Once stdin has ended and the drain is over, stop the calls still running (a call hanging on the API would
// otherwise keep the session, and the process, alive until its HTTP timeout).
_ = transport.Completion.ContinueWith(_ =>
{
    if (!transport.InputEnded) return;
    stopReason ??= "stdin closed";
    try { stop.Cancel(); } catch (ObjectDisposedException) { }
}, TaskScheduler.Default);
await using (var server = McpServer.Create(transport, raworc.Options, loggerFactory))
{
    log.LogInformation("Ready with {Count} tools ({Disabled} left out by the modes; LOG_LEVEL=debug lists them)",
        raworc.Tools.Count, raworc.DisabledTools.Count);
    try
    {
        await server.RunAsync(stop.Token);
        stopReason ??= transport.InputEnded ? "stdin closed" : "session ended";
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
}

log.LogInformation("Shutting down ({Reason})", stopReason ?? "stopped");
return 0;
