using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;

namespace Raworc.Mcp;

/// <summary>
/// Writes JSON messages to an output, each <see cref="LargeTexts"/> placeholder in them replaced by its text, escaped
/// a chunk at a time. A placeholder may arrive split between writes: the bytes that could begin one are held until
/// the next write tells, or until a flush (a flush comes between messages, and a placeholder lies inside one).
/// While no text is waiting, what it is given goes straight through. It does not own its output.
/// </summary>
internal sealed class LargeTextStream : Stream
{
    /// <summary>How the JSON writer writes a placeholder's start, inside the string's quotes.</summary>
    private static readonly byte[] EscapedMarker = Encoding.ASCII.GetBytes("\\u0000" + LargeTexts.Marker[1..]);

    private static readonly int PlaceholderLength = EscapedMarker.Length + LargeTexts.IdLength;

    /// <summary>Escaped characters made at a time; several chunks go out in one write of up to <see cref="WriteSize"/>
    /// bytes (a write to an HTTP response is a send). Small buffers, rented and given back for each text.</summary>
    private const int EscapedChunk = 4096;

    private const int WriteSize = 64 * 1024;

    /// <summary>Escapes only what JSON requires (quotes, backslashes, control characters), as the stdio transport does.</summary>
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly Stream _output;
    private readonly byte[] _held = new byte[2 * PlaceholderLength];
    private int _heldCount;

    public LargeTextStream(Stream output) => _output = output;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() => FlushAsync().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_heldCount == 0 && LargeTexts.NoneWaiting)
        {
            await _output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false); // nothing to look for
            return;
        }
        // Held bytes are decided with the start of the buffer: they go through the scan again, joined to as much of it
        // as a placeholder beginning in them could take; what remains undecided is held again.
        while (_heldCount > 0 && !buffer.IsEmpty)
        {
            int taken = Math.Min(buffer.Length, PlaceholderLength);
            buffer.Span[..taken].CopyTo(_held.AsSpan(_heldCount));
            var joined = _held.AsMemory(0, _heldCount + taken);
            _heldCount = 0;
            await ScanAsync(joined, cancellationToken).ConfigureAwait(false);
            buffer = buffer[taken..];
        }
        await ScanAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="buffer"/> with its placeholders replaced, holding an end that may begin one.</summary>
    private async ValueTask ScanAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int start = buffer.Span.IndexOf(EscapedMarker);
            if (start < 0)
            {
                // The end may still begin a placeholder: hold it.
                int tail = PossibleStart(buffer.Span);
                await _output.WriteAsync(buffer[..tail], cancellationToken).ConfigureAwait(false);
                Hold(buffer.Span[tail..]);
                return;
            }
            if (buffer.Length - start < PlaceholderLength)
            {
                await _output.WriteAsync(buffer[..start], cancellationToken).ConfigureAwait(false);
                Hold(buffer.Span[start..]);
                return;
            }
            if (TryClaim(buffer.Span.Slice(start, PlaceholderLength), out string? text))
            {
                await _output.WriteAsync(buffer[..start], cancellationToken).ConfigureAwait(false);
                await WriteEscapedAsync(text, cancellationToken).ConfigureAwait(false);
                buffer = buffer[(start + PlaceholderLength)..];
            }
            else
            {
                await _output.WriteAsync(buffer[..(start + 1)], cancellationToken).ConfigureAwait(false);
                buffer = buffer[(start + 1)..];
            }
        }
    }

    /// <summary>Writes what is held: nothing more of the message it might have begun is coming.</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteHeldAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is held without flushing the output (for an output whose owner completes it).</summary>
    public ValueTask WriteHeldAsync(CancellationToken cancellationToken)
    {
        if (_heldCount == 0) return ValueTask.CompletedTask;
        int count = _heldCount;
        _heldCount = 0;
        return _output.WriteAsync(_held.AsMemory(0, count), cancellationToken);
    }

    /// <summary>Where the longest end of <paramref name="bytes"/> that could begin a placeholder starts (their length if none).</summary>
    private static int PossibleStart(ReadOnlySpan<byte> bytes)
    {
        for (int start = Math.Max(0, bytes.Length - PlaceholderLength + 1); start < bytes.Length; start++)
            if (IsPlaceholderStart(bytes[start..])) return start;
        return bytes.Length;
    }

    /// <summary>Whether <paramref name="bytes"/>, shorter than a placeholder, could be the start of one.</summary>
    private static bool IsPlaceholderStart(ReadOnlySpan<byte> bytes) =>
        bytes.Length <= EscapedMarker.Length ? EscapedMarker.AsSpan().StartsWith(bytes) : bytes.StartsWith(EscapedMarker);

    /// <summary>Keeps <paramref name="bytes"/> (which may lie in the held bytes themselves) for the next write.</summary>
    private void Hold(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_held);
        _heldCount = bytes.Length;
    }

    private static bool TryClaim(ReadOnlySpan<byte> escaped, [NotNullWhen(true)] out string? text)
    {
        text = null;
        var id = escaped[EscapedMarker.Length..];
        foreach (byte b in id)
            if (!char.IsAsciiHexDigitLower((char)b)) return false;
        return LargeTexts.TryClaim(LargeTexts.Marker + Encoding.ASCII.GetString(id), out text);
    }

    private async ValueTask WriteEscapedAsync(string text, CancellationToken cancellationToken)
    {
        char[] escaped = ArrayPool<char>.Shared.Rent(EscapedChunk);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(WriteSize);
        try
        {
            int filled = 0;
            for (int offset = 0; ;)
            {
                // A surrogate pair that does not fit is left whole for the next chunk.
                OperationStatus status = Encoder.Encode(text.AsSpan(offset), escaped, out int read, out int written, isFinalBlock: true);
                filled += Encoding.UTF8.GetBytes(escaped.AsSpan(0, written), bytes.AsSpan(filled));
                offset += read;
                bool done = status == OperationStatus.Done;
                if (!done && (status != OperationStatus.DestinationTooSmall || written == 0))
                    throw new InvalidOperationException($"Escaping a long text stopped with {status} at character {offset}.");
                // Three bytes at most for a character the encoder leaves as it is.
                if (done || bytes.Length - filled < EscapedChunk * 3)
                {
                    await _output.WriteAsync(bytes.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                    filled = 0;
                }
                if (done) return;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(escaped);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
