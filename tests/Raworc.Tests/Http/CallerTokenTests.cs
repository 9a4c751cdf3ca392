using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Raworc.Mcp.Http;

namespace Raworc.Tests.Http;

/// <summary>
/// Cheap rejection of callers' tokens before any work: a bearer that cannot be a Raworc token, an expired one, and
/// one Raworc rejected moments ago get 401 without the body being read or the API asked; per-caller limits key on
/// the parsed token.
/// </summary>
public sealed class CallerTokenTests
{
    private static string Segment(string json) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static TheoryData<string, string> MadeUpTokens => new()
    {
        { "abc", "three dot-separated parts, and this has 1" },
        { "rsi_" + new string('7', 64), "three dot-separated parts" },
        { "a.b", "this has 2" },
        { "a.b.c.d", "this has 4" },
        { "..", "part 1 of 3 is empty" },
        { "ey+J.eyJ.sig", "part 1 of 3 is not base64url" },
        { Segment("[1]") + "." + Segment("{}") + ".c2ln", "header (part 1) is not a JSON object" },
        { Segment("{}") + ".bm90IGpzb24." + "c2ln", "claims (part 2) are not a JSON object" },
        { Segment("""{"alg":"HS256"}""") + "." + Segment("""{"sub":"x","exp":1000000000}""") + ".c2ln", "expired at 2001-09-09 01:46:40 UTC" },
        { HttpTestHost.TokenOf("late", TimeSpan.FromMinutes(-5)), "expired at" },
        { new string('a', 3000) + "." + new string('b', 1100) + ".c", "over the 4,096 a token can be" },
    };

    [Theory]
    [MemberData(nameof(MadeUpTokens))]
    public async Task A_token_that_cannot_be_Raworcs_gets_401_before_the_body_is_read_and_reaches_no_API(string token, string problem)
    {
        await using var host = await HttpTestHost.StartAsync();
        // Not JSON: had the body been read, the answer would be a parse error, not 401.
        var response = await host.PostAsync("this is not JSON", new Dictionary<string, string> { ["Authorization"] = "Bearer " + token });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        string body = await response.Content.ReadAsStringAsync();
        Assert.Contains(problem, body);
        Assert.DoesNotContain(token, body);
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public void A_token_within_Raworcs_leeway_after_its_expiry_is_still_sent()
    {
        var now = DateTimeOffset.UtcNow;
        var token = BearerToken.Parse("Bearer " + HttpTestHost.TokenOf("grace", TimeSpan.FromSeconds(-30)), now, out _);
        Assert.NotNull(token);
        Assert.True(token.Expires < now);
    }

    [Fact]
    public async Task A_token_Raworc_rejected_is_not_forwarded_again_for_a_while()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Reset();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(401));
        string whoami = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}""";

        var first = await host.PostAsync(whoami, HttpTestHost.Bearer("revoked"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode); // the tool result says the token was rejected
        Assert.Contains("bearer token was rejected", await first.Content.ReadAsStringAsync());
        var again = new List<HttpResponseMessage>();
        for (int i = 0; i < 20; i++) again.Add(await host.PostAsync(whoami, HttpTestHost.Bearer("revoked")));

        Assert.All(again, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Contains("Raworc rejected this token within the last 60 s", await again[0].Content.ReadAsStringAsync());
        Assert.Single(host.Api.LogEntries);
    }

    [Fact]
    public void Raworcs_verdicts_are_remembered_for_a_bounded_time_and_number_of_tokens()
    {
        var clock = new SteppingClock { AutoAdvance = false };
        var recent = new RecentTokens(clock);
        recent.Record("k0", accepted: false);
        Assert.True(recent.WasRejected("k0"));
        clock.Advance(RecentTokens.RejectedFor);
        Assert.False(recent.WasRejected("k0"));

        for (int i = 0; i < RecentTokens.MaxEntries * 3; i++) recent.Record($"r{i}", accepted: false);
        Assert.Equal(RecentTokens.MaxEntries, recent.RejectedCount);
        Assert.True(recent.WasRejected($"r{RecentTokens.MaxEntries * 3 - 1}"));
        Assert.False(recent.WasRejected("r0")); // the oldest went first

        recent.Record("r1", accepted: true); // a fresh verdict replaces the old one
        Assert.False(recent.WasRejected("r1"));
        Assert.True(recent.WasAccepted("r1"));
    }

    [Fact]
    public void A_token_is_new_once_until_Raworc_accepts_it()
    {
        var recent = new RecentTokens(new SteppingClock { AutoAdvance = false });
        Assert.True(recent.IsNew("k"));
        Assert.False(recent.IsNew("k"));
        recent.Record("a", accepted: true);
        Assert.False(recent.IsNew("a"));
    }

    [Fact]
    public async Task Made_up_tokens_reach_the_API_only_at_the_new_token_rate_of_their_address()
    {
        await using var host = await HttpTestHost.StartAsync(["--rate-limit", "0"]);
        host.Api.Reset();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(401));
        string whoami = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}""";

        // Each a well-formed token never seen before: only Raworc could tell it is made up.
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => host.PostAsync(whoami, HttpTestHost.Bearer($"forged-{i}"))));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Contains("new tokens per second from this address", await limited[0].Content.ReadAsStringAsync());
        Assert.Equal(responses.Length - limited.Count, host.Api.LogEntries.Count());
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer {0}")]
    [InlineData("BEARER {0}")]
    [InlineData("Bearer   {0}")]
    [InlineData("  Bearer\t{0}  ")]
    public void The_caller_key_is_the_parsed_token_whatever_the_schemes_case_and_spacing(string header)
    {
        using var api = new Raworc.Client.RaworcClient(new Raworc.Client.RaworcClientOptions { ApiUrl = new Uri("http://127.0.0.1:9/") });
        var credentials = new CallerCredentials(api, sharedCredentials: false, TimeProvider.System);
        string token = HttpTestHost.TokenOf("alice");

        string Key(string authorization, string address = "10.0.0.1")
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.Authorization = authorization;
            context.Connection.RemoteIpAddress = IPAddress.Parse(address);
            return credentials.CallerKey(context);
        }

        string expected = Key($"Bearer {token}");
        Assert.StartsWith("t:", expected);
        Assert.Equal(expected, Key(string.Format(System.Globalization.CultureInfo.InvariantCulture, header, token), "10.0.0.2"));
        Assert.NotEqual(expected, Key($"Bearer {HttpTestHost.TokenOf("bob")}"));
        Assert.DoesNotContain(token, expected);
        // Without a token that could be Raworc's, the caller is its address: made-up headers share one budget.
        Assert.Equal("a:10.0.0.1", Key("Bearer not-a-token"));
        Assert.Equal("a:10.0.0.1", Key("Basic YWRtaW46YWRtaW4="));
        Assert.Equal("a:10.0.0.1", Key(""));
    }
}
