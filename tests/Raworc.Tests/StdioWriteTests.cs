using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Raworc.Mcp.Transport;

namespace Raworc.Tests;

/// <summary>Every message our stdio transport writes is one whole line, even when its sending is cancelled on the way.</summary>
public sealed class StdioWriteTests
{
    [Fact]
    public async Task A_send_cancelled_while_it_writes_leaves_no_half_line_for_the_next_message()
    {
        using var stopping = new CancellationTokenSource();
        // stdout as a stream that honours cancellation: the session stops (cancels) right after the first write starts.
        var output = new CancellingStream(stopping);
        await using var transport = new StdioJsonRpcTransport(new MemoryStream(), output, null);

        try
        {
            await transport.SendMessageAsync(new JsonRpcResponse { Id = new RequestId("first"), Result = new System.Text.Json.Nodes.JsonObject() }, stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await transport.SendMessageAsync(new JsonRpcResponse { Id = new RequestId("second"), Result = new System.Text.Json.Nodes.JsonObject() });

        string[] lines = Encoding.UTF8.GetString(output.Written.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line => Assert.Equal("2.0", JsonDocument.Parse(line).RootElement.GetProperty("jsonrpc").GetString()));
        Assert.Contains(lines, l => l.Contains("\"second\"", StringComparison.Ordinal));
    }

    private sealed class CancellingStream(CancellationTokenSource stopping) : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written.Length;

        public override long Position
        {
            get => Written.Position;
            set => throw new NotSupportedException();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Written.Write(buffer.Span);
            stopping.Cancel();
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
