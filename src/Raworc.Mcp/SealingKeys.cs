using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Raworc.Mcp;

/// <summary>
/// A key ring that seals small payloads (AES-256-GCM: encrypted and authenticated) into URL-safe text, so that state a
/// client carries for us (a client registration, an authorization code, a token, a pending question) can be neither
/// read nor changed without the keys, and any replica holding the same keys can open it. The first key seals; every
/// key opens, so keys rotate by putting a new one first and dropping the old one once what it sealed has expired.
/// </summary>
/// <remarks>
/// Sealed text: version (1 byte) | key id (4 bytes, from the key's SHA-256) | nonce (12) | ciphertext | tag (16),
/// base64url without padding. The purpose is bound as associated data, so a payload sealed for one purpose (say, an
/// access token) never opens as another (a refresh token), whatever it contains.
/// </remarks>
internal sealed class SealingKeys
{
    /// <summary>A key's length: 256 bits.</summary>
    public const int KeyBytes = 32;

    /// <summary>Longer text is not even decoded: nothing this server seals comes near it.</summary>
    public const int MaxSealedChars = 16 * 1024;

    private const byte Version = 1;
    private const int IdBytes = 4;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int HeaderBytes = 1 + IdBytes + NonceBytes;

    /// <summary>
    /// Made on first use: the random key and the key ids come from the OS's crypto library, whose loading would
    /// otherwise add milliseconds to every stdio start, where a key is needed only once a consent question is asked.
    /// </summary>
    private readonly Lazy<(byte[] Id, byte[] Key)[]> _ring;

    private SealingKeys(Func<byte[][]> keys, int count, bool generated)
    {
        _ring = new(() => keys().Select(k => (SHA256.HashData(k).AsSpan(0, IdBytes).ToArray(), k)).ToArray());
        Count = count;
        Generated = generated;
    }

    /// <summary>True when the keys were made at start (no configured keys): what they sealed ends with the process.</summary>
    public bool Generated { get; }

    /// <summary>How many keys open (the first also seals).</summary>
    public int Count { get; }

    /// <summary>One fresh random key, for a process that was given none.</summary>
    public static SealingKeys Generate() => new(() => [RandomNumberGenerator.GetBytes(KeyBytes)], 1, generated: true);

    /// <summary>
    /// Keys from a setting: base64 (standard or URL-safe) 32-byte keys separated by commas. Throws
    /// <see cref="FormatException"/> naming the position of the key at fault, never its text.
    /// </summary>
    public static SealingKeys Parse(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var keys = new List<byte[]>(parts.Length);
        for (int i = 0; i < parts.Length; i++)
        {
            string where = parts.Length == 1 ? "the key" : $"key {i + 1} of {parts.Length}";
            if (parts[i].Length == 0)
                throw new FormatException($"{where} is empty; give base64 keys of {KeyBytes} bytes separated by commas");
            byte[] key = DecodeBase64(parts[i])
                ?? throw new FormatException($"{where} is not base64; make one with: head -c {KeyBytes} /dev/urandom | base64");
            if (key.Length != KeyBytes)
                throw new FormatException($"{where} is {key.Length} bytes; a key must be {KeyBytes} bytes (256 bits): head -c {KeyBytes} /dev/urandom | base64");
            keys.Add(key);
        }
        var parsed = keys.ToArray();
        return new SealingKeys(() => parsed, parsed.Length, generated: false);
    }

    /// <summary>Seals <paramref name="payload"/> for <paramref name="purpose"/> with the first key.</summary>
    public string Seal(string purpose, ReadOnlySpan<byte> payload)
    {
        var (id, key) = _ring.Value[0];
        var sealedBytes = new byte[HeaderBytes + payload.Length + TagBytes];
        sealedBytes[0] = Version;
        id.CopyTo(sealedBytes, 1);
        var nonce = sealedBytes.AsSpan(1 + IdBytes, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, payload, sealedBytes.AsSpan(HeaderBytes, payload.Length),
            sealedBytes.AsSpan(HeaderBytes + payload.Length, TagBytes), AssociatedData(purpose));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>
    /// Opens text sealed for <paramref name="purpose"/> by any of the keys. False when it is malformed, sealed by a key
    /// not (or no longer) in the ring, sealed for another purpose, or changed in any bit.
    /// </summary>
    public bool TryOpen(string purpose, string? sealedText, out byte[] payload)
    {
        payload = [];
        if (string.IsNullOrEmpty(sealedText) || sealedText.Length > MaxSealedChars) return false;
        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(sealedText);
        }
        catch (FormatException)
        {
            return false;
        }
        if (sealedBytes.Length < HeaderBytes + TagBytes || sealedBytes[0] != Version) return false;
        var id = sealedBytes.AsSpan(1, IdBytes);
        var nonce = sealedBytes.AsSpan(1 + IdBytes, NonceBytes);
        int length = sealedBytes.Length - HeaderBytes - TagBytes;
        var ciphertext = sealedBytes.AsSpan(HeaderBytes, length);
        var tag = sealedBytes.AsSpan(HeaderBytes + length, TagBytes);
        byte[] associated = AssociatedData(purpose);
        foreach (var (keyId, key) in _ring.Value)
        {
            if (!id.SequenceEqual(keyId)) continue; // ids can collide (4 bytes): every key with this id is tried
            var plain = new byte[length];
            try
            {
                using var aes = new AesGcm(key, TagBytes);
                aes.Decrypt(nonce, ciphertext, tag, plain, associated);
                payload = plain;
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
            }
        }
        return false;
    }

    private static byte[] AssociatedData(string purpose) => Encoding.UTF8.GetBytes("raworc-mcp/" + purpose);

    private static byte[]? DecodeBase64(string text)
    {
        string standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=');
        var buffer = new byte[standard.Length * 3 / 4];
        return Convert.TryFromBase64String(standard, buffer, out int written) ? buffer[..written] : null;
    }
}
