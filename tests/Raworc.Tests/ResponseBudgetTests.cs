using System.Net;
using System.Text;
using Raworc.Client;

namespace Raworc.Tests;

/// <summary>
/// API response bodies claim their bytes from a budget while they are read and used: reads that together outgrow it
/// all finish (one through the large-response gate at a time), a call's later read never waits on its own earlier one,
/// and the gate's holder never waits for the budget.
/// </summary>
public sealed class ResponseBudgetTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";

    private static byte[] Space(int descriptionBytes) => Encoding.UTF8.GetBytes(
        $$"""{"name":"big","description":"{{new string('x', descriptionBytes)}}","settings":{},"active":true,"created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""");

    private static RaworcClient Client(HttpMessageHandler api, ByteBudget budget) => new(new RaworcClientOptions
    {
        ApiUrl = new Uri("http://127.0.0.1:9/api/v0"),
        Token = "budget-token",
        Timeout = TimeSpan.FromSeconds(20),
        MaxAttempts = 1,
        Budget = budget,
    }, handler: api);

    [Fact]
    public async Task Chunked_answers_that_together_outgrow_the_budget_all_finish()
    {
        // Six bodies of unknown length, 100 KB each, against 256 KB: each sends 40 KB, stops until four have got that
        // far, then sends the rest. Claiming as bytes came, every read held part and waited for more: none finished.
        var budget = new ByteBudget(256 * 1024);
        var fourStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int started = 0;
        var api = new Api(() => new PausingStream(Space(100 * 1024), 40 * 1024, fourStarted.Task,
            () => { if (Interlocked.Increment(ref started) == 4) fourStarted.SetResult(); }));
        using var client = Client(api, budget);

        var spaces = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => client.GetSpaceAsync("big"))))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(spaces, s => Assert.Equal(100 * 1024, s.Description!.Length));
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task A_calls_second_read_gives_back_what_its_first_claimed_instead_of_waiting_on_it()
    {
        // Two reads of 150 KB in one unit of work, against 256 KB: holding the first while the second waited would
        // wait on itself until the timeout.
        var budget = new ByteBudget(256 * 1024);
        var api = new Api(() => new MemoryStream(Space(150 * 1024)));
        using var client = Client(api, budget);

        using (LargeResponseGate.BeginScope())
        {
            await client.GetSpaceAsync("big").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(budget.InUse >= 150 * 1024); // held while the call uses what it read
            await client.GetSpaceAsync("big").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.InRange(budget.InUse, 150 * 1024, 256 * 1024);
        }
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task The_large_answer_holding_the_gate_never_waits_for_the_budget()
    {
        // Others hold most of the budget and more wait for it; a large answer takes the gate and reads at once,
        // overdrawing the budget by its one body rather than waiting behind reads that may wait for the gate.
        var budget = new ByteBudget(256 * 1024);
        using var others = await budget.ClaimAsync(200 * 1024, "others", CancellationToken.None);
        var queued = budget.ClaimAsync(200 * 1024, "queued", CancellationToken.None).AsTask();
        int large = LargeResponseGate.LargeResponseBytes + 1024;
        var api = new Api(() => new MemoryStream(Space(large)), knownLength: true);
        using var client = Client(api, budget);

        var space = await client.GetSpaceAsync("big").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(large, space.Description!.Length);
        Assert.Equal(200 * 1024, budget.InUse); // given back at the end of the call
        Assert.False(queued.IsCompleted);
        others.Dispose();
        using var granted = await queued.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(200 * 1024, budget.InUse);
    }

    /// <summary>Answers every request with a body from <c>body</c>: of unknown length (chunked) unless <c>knownLength</c>.</summary>
    private sealed class Api(Func<Stream> body, bool knownLength = false) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var stream = body();
            HttpContent content = knownLength ? new ByteArrayContent(((MemoryStream)stream).ToArray()) : new StreamContent(stream);
            content.Headers.ContentType = new("application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A body that stops after <c>pauseAt</c> bytes (telling <c>paused</c>) until <c>resume</c> completes.</summary>
    private sealed class PausingStream(byte[] body, int pauseAt, Task resume, Action paused) : Stream
    {
        private int _position;
        private bool _paused;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == pauseAt && !_paused)
            {
                _paused = true;
                paused();
                await resume.WaitAsync(cancellationToken);
            }
            int end = _position < pauseAt ? pauseAt : body.Length;
            int count = Math.Min(buffer.Length, end - _position);
            body.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
