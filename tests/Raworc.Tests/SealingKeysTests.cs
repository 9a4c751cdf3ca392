using System.Security.Cryptography;
using System.Text;
using Raworc.Mcp;

namespace Raworc.Tests;

/// <summary>
/// The key ring behind every sealed value: what one key seals only that key opens, for the same purpose, unchanged;
/// rotation keeps old text readable while its key is listed; a malformed key setting names the key at fault.
/// </summary>
public sealed class SealingKeysTests
{
    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SealingKeys.KeyBytes));

    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"sub\":\"admin\",\"exp\":1}");

    [Fact]
    public void Sealed_text_opens_for_its_purpose_and_hides_the_payload()
    {
        var keys = SealingKeys.Parse(NewKey());
        string text = keys.Seal("access", Payload);
        Assert.DoesNotContain("admin", text);
        Assert.Matches("^[A-Za-z0-9_-]+$", text);
        Assert.True(keys.TryOpen("access", text, out var opened));
        Assert.Equal(Payload, opened);
        Assert.NotEqual(text, keys.Seal("access", Payload)); // a fresh nonce each time
    }

    [Fact]
    public void Text_sealed_for_one_purpose_does_not_open_as_another()
    {
        var keys = SealingKeys.Parse(NewKey());
        Assert.False(keys.TryOpen("refresh", keys.Seal("access", Payload), out _));
    }

    [Fact]
    public void Any_flipped_bit_is_refused()
    {
        var keys = SealingKeys.Parse(NewKey());
        byte[] sealedBytes = System.Buffers.Text.Base64Url.DecodeFromChars(keys.Seal("code", Payload));
        for (int bit = 0; bit < sealedBytes.Length * 8; bit++)
        {
            byte[] changed = (byte[])sealedBytes.Clone();
            changed[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(keys.TryOpen("code", System.Buffers.Text.Base64Url.EncodeToString(changed), out _), $"bit {bit}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not sealed")]
    [InlineData("AQ")]
    [InlineData("%%%")]
    public void Malformed_text_is_refused(string text) =>
        Assert.False(SealingKeys.Parse(NewKey()).TryOpen("code", text, out _));

    [Fact]
    public void Oversized_text_is_refused_without_decoding() =>
        Assert.False(SealingKeys.Parse(NewKey()).TryOpen("code", new string('A', SealingKeys.MaxSealedChars + 1), out _));

    [Fact]
    public void Rotation_opens_with_every_listed_key_and_seals_with_the_first()
    {
        string oldKey = NewKey(), newKey = NewKey();
        var before = SealingKeys.Parse(oldKey);
        var during = SealingKeys.Parse($"{newKey}, {oldKey}");
        var after = SealingKeys.Parse(newKey);
        string sealedBefore = before.Seal("refresh", Payload);

        Assert.True(during.TryOpen("refresh", sealedBefore, out _));
        Assert.False(after.TryOpen("refresh", sealedBefore, out _)); // its key was rotated out
        string sealedDuring = during.Seal("refresh", Payload);
        Assert.True(after.TryOpen("refresh", sealedDuring, out _));
        Assert.False(before.TryOpen("refresh", sealedDuring, out _));
        Assert.Equal(2, during.Count);
    }

    [Fact]
    public void A_foreign_key_opens_nothing() =>
        Assert.False(SealingKeys.Generate().TryOpen("code", SealingKeys.Generate().Seal("code", Payload), out _));

    [Fact]
    public void Url_safe_base64_keys_are_accepted()
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SealingKeys.KeyBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var keys = SealingKeys.Parse(key);
        Assert.True(keys.TryOpen("x", keys.Seal("x", Payload), out _));
        Assert.False(keys.Generated);
        Assert.True(SealingKeys.Generate().Generated);
    }

    [Theory]
    [InlineData("", "the key is empty")]
    [InlineData("not base64!", "the key is not base64")]
    [InlineData("AAAA", "the key is 3 bytes")]
    [InlineData("{0},", "key 2 of 2 is empty")]
    [InlineData("{0},c2hvcnQ=", "key 2 of 2 is 5 bytes")]
    public void A_bad_key_setting_names_the_key_at_fault_and_never_quotes_it(string setting, string expected)
    {
        string good = NewKey();
        var e = Assert.Throws<FormatException>(() => SealingKeys.Parse(string.Format(setting, good)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(good, e.Message);
    }
}
