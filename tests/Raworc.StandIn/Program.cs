using System.Globalization;
using System.Runtime.InteropServices;
using Raworc.StandIn;

// Command line: dotnet run --project tests/Raworc.StandIn -- [--port N] [--build-delay-ms N] [--session-delay-ms N]
//                                                           [--reply-delay-ms N] [--token-lifetime-seconds N]
//                                                           [--request-log FILE] [--message-ties id|newest-first]
// Each option can also come from the environment: RAWORC_STANDIN_PORT, RAWORC_STANDIN_BUILD_DELAY_MS, ...
// The command line wins. Always binds 127.0.0.1.

const string Usage = """
    Raworc API stand-in (in-memory Raworc REST API v0, server 0.3.0 behaviour)

    usage: standin [--port N] [--build-delay-ms N] [--session-delay-ms N] [--reply-delay-ms N] [--token-lifetime-seconds N]
                   [--request-log FILE] [--message-ties id|newest-first]

      --port N                     TCP port on 127.0.0.1 (default 9000; 0 = any free port)      env RAWORC_STANDIN_PORT
      --build-delay-ms N           pending -> building and building -> completed (default 1000) env RAWORC_STANDIN_BUILD_DELAY_MS
      --session-delay-ms N         new session init -> idle (default 1000)                      env RAWORC_STANDIN_SESSION_DELAY_MS
      --reply-delay-ms N           user message -> agent reply (default 1500)                   env RAWORC_STANDIN_REPLY_DELAY_MS
      --token-lifetime-seconds N   login token lifetime (default 86400)                         env RAWORC_STANDIN_TOKEN_LIFETIME_SECONDS
      --request-log FILE           append "METHOD PATH STATUS account=NAME" per request        env RAWORC_STANDIN_REQUEST_LOG
                                   (NAME: the account whose token authenticated it; never the token)
      --message-ties ORDER         order of listed messages of one second (whole-second       env RAWORC_STANDIN_MESSAGE_TIES
                                   timestamps): id (default; random against posting, like 0.3.0's
                                   undefined order) or newest-first (the worst case, for tests)

    Seeded: service accounts admin/admin and operator/admin, space "default", roles admin and operator.
    """;

var values = new Dictionary<string, long>(StringComparer.Ordinal);
string[] names = ["port", "build-delay-ms", "session-delay-ms", "reply-delay-ms", "token-lifetime-seconds"];
const string RequestLogOption = "request-log";
const string MessageTiesOption = "message-ties";
static string EnvName(string option) => "RAWORC_STANDIN_" + option.Replace('-', '_').ToUpperInvariant();
foreach (var name in names)
{
    var env = Environment.GetEnvironmentVariable(EnvName(name));
    if (!string.IsNullOrWhiteSpace(env)) values[name] = ParseNumber(name, env);
}
string? requestLog = Environment.GetEnvironmentVariable(EnvName(RequestLogOption)) is { Length: > 0 } logEnv ? logEnv : null;
string? messageTies = Environment.GetEnvironmentVariable(EnvName(MessageTiesOption)) is { Length: > 0 } tiesEnv ? tiesEnv : null;

for (int i = 0; i < args.Length; i++)
{
    var arg = args[i];
    if (arg is "-h" or "--help")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    if (!arg.StartsWith("--", StringComparison.Ordinal)) return Fail($"unexpected argument '{arg}'");
    var name = arg[2..];
    string? value = null;
    var eq = name.IndexOf('=');
    if (eq >= 0)
    {
        value = name[(eq + 1)..];
        name = name[..eq];
    }
    if (!names.Contains(name) && name is not (RequestLogOption or MessageTiesOption)) return Fail($"unknown option '--{name}'");
    if (value is null)
    {
        if (i + 1 >= args.Length) return Fail($"option '--{name}' needs a value");
        value = args[++i];
    }
    if (name == RequestLogOption) requestLog = value;
    else if (name == MessageTiesOption) messageTies = value;
    else values[name] = ParseNumber(name, value);
}

long Get(string name, long fallback) => values.TryGetValue(name, out var v) ? v : fallback;

var port = Get("port", 9000);
if (port is < 0 or > 65535) return Fail("--port must be 0..65535");
MessageTieOrder ties;
switch (messageTies)
{
    case null or "id": ties = MessageTieOrder.ById; break;
    case "newest-first": ties = MessageTieOrder.NewestFirst; break;
    default: return Fail($"--message-ties must be id or newest-first, got '{messageTies}'");
}

var options = new StandInOptions
{
    Port = (int)port,
    BuildDelay = TimeSpan.FromMilliseconds(Get("build-delay-ms", 1000)),
    SessionDelay = TimeSpan.FromMilliseconds(Get("session-delay-ms", 1000)),
    ReplyDelay = TimeSpan.FromMilliseconds(Get("reply-delay-ms", 1500)),
    TokenLifetime = TimeSpan.FromSeconds(Get("token-lifetime-seconds", 86400)),
    LogToStderr = true,
    RequestLogPath = requestLog,
    MessageTies = ties,
};

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext ctx)
{
    ctx.Cancel = true;
    stop.TrySetResult();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

RunningStandIn running;
try
{
    running = await StandInServer.StartAsync(options);
}
catch (IOException e)
{
    Console.Error.WriteLine($"standin: cannot listen on 127.0.0.1:{port}: {e.Message}");
    return 1;
}
await using var owned = running;
Console.WriteLine($"Raworc stand-in listening on {running.BaseUrl} (login admin/admin)");
Console.Out.Flush();
await stop.Task;
return 0;

static long ParseNumber(string name, string text)
{
    if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
    Console.Error.WriteLine($"standin: --{name} needs a non-negative whole number, got '{text}'");
    Environment.Exit(2);
    return 0;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"standin: {message}\n\n{Usage}");
    return 2;
}
