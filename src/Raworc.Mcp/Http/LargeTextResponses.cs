using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http;

/// <summary>
/// Gives each /mcp response the stream that writes the long texts of its results (<see cref="LargeTexts"/>), and
/// forgets the texts of a response that was never written (its client went away first).
/// </summary>
internal static class LargeTextResponses
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var body = context.Response.Body;
        var expanding = new LargeTextStream(body);
        context.Response.Body = expanding;
        using var texts = LargeTexts.BeginScope();
        try
        {
            await next(context).ConfigureAwait(false);
            if (!context.RequestAborted.IsCancellationRequested)
                await expanding.WriteHeldAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = body;
        }
    }
}
