namespace Raworc.StandIn;

/// <summary>
/// Appends <c>METHOD PATH STATUS account=NAME</c> per request to a file, NAME being the account whose token the auth
/// filter accepted (<c>-</c> for public routes and rejected tokens). Lines are written whole under a lock, so
/// concurrent requests never interleave within a line.
/// </summary>
internal sealed class RequestLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly StreamWriter _writer;

    public RequestLog(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public async Task Middleware(HttpContext ctx, Func<Task> next)
    {
        try
        {
            await next();
        }
        finally
        {
            var account = ctx.Items.TryGetValue(Endpoints.UserKey, out var user) && user is string name ? name : "-";
            var line = $"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString} {ctx.Response.StatusCode} account={account}";
            lock (_gate) _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }
}
