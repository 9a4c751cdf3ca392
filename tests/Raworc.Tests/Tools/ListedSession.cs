using System.Globalization;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;
using static Raworc.Tests.WaitToolTests;

namespace Raworc.Tests.Tools;

/// <summary>
/// One session's messages served on WireMock the way Raworc 0.3.0 lists them: by <c>created_at</c>, which has whole
/// seconds, and the messages of one second in whatever order <see cref="Ties"/> gives, again at every read (the server
/// has no order within a second). The send stores the sent message in <see cref="SentSecond"/>; each message of
/// <see cref="Arrive"/> appears from the given read after the send on.
/// </summary>
internal sealed class ListedSession
{
    private readonly Lock _gate = new();
    private readonly List<Stored> _messages = [];
    private readonly List<(int Read, Stored Message)> _arrivals = [];
    private int _readsAfterSend = -1; // -1: not sent yet

    public sealed record Stored(string Id, string Role, string Content, int Second)
    {
        public string Json => MessageJson(Id, Role, Content, $"2025-08-30T18:23:{Second:00}+00:00");
    }

    /// <summary>Orders the messages of one second (given in the order they were stored) for one read.</summary>
    public required Func<List<Stored>, IEnumerable<Stored>> Ties { get; init; }

    /// <summary>The second (of 18:23) the sent message is stored in; its POST answer carries a fraction of it.</summary>
    public int SentSecond { get; init; } = 10;

    /// <summary>List reads after the send answer 404.</summary>
    public bool FailReadsAfterSend { get; init; }

    /// <summary>The worst case for a reply scan: the messages of a second newest first.</summary>
    public static IEnumerable<Stored> NewestFirst(List<Stored> second) => Enumerable.Reverse(second);

    /// <summary>A different random order at every read, reproducible from <paramref name="seed"/>.</summary>
    public static Func<List<Stored>, IEnumerable<Stored>> Shuffled(int seed)
    {
        var random = new Random(seed);
        return second => second.OrderBy(_ => random.Next());
    }

    /// <summary>Messages stored before the send, oldest first.</summary>
    public ListedSession Before(params Stored[] messages)
    {
        _messages.AddRange(messages);
        return this;
    }

    /// <summary><paramref name="message"/> is listed from the <paramref name="read"/>-th read after the send on (1 = the first).</summary>
    public ListedSession Arrive(int read, Stored message)
    {
        _arrivals.Add((read, message));
        return this;
    }

    public ListedSession Serve(McpTestHost host)
    {
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Response.Create().WithCallback(_ =>
        {
            lock (_gate) return Ok($$"""{"count":{{_messages.Count}},"session_id":"{{Sid}}"}""");
        }));
        host.Api.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Response.Create().WithCallback(_ =>
        {
            lock (_gate)
            {
                _messages.Add(new Stored(SentId, "user", "the question", SentSecond));
                _readsAfterSend = 0;
                return Ok(MessageJson(SentId, "user", "the question", $"2025-08-30T18:23:{SentSecond:00}.5+00:00"));
            }
        }));
        host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Response.Create().WithCallback(request =>
        {
            lock (_gate) return List(Parameter(request, "limit") ?? 100, Parameter(request, "offset") ?? 0);
        }));
        return this;
    }

    private ResponseMessage List(int limit, int offset)
    {
        if (_readsAfterSend >= 0)
        {
            _readsAfterSend++;
            if (FailReadsAfterSend)
                return Respond(404, """{"error":{"code":"NOT_FOUND","message":"Session not found"}}""");
            foreach (var (read, message) in _arrivals.Where(a => a.Read == _readsAfterSend)) _messages.Add(message);
        }
        var listing = _messages.GroupBy(m => m.Second).OrderBy(g => g.Key).SelectMany(g => Ties([.. g]));
        return Ok("[" + string.Join(",", listing.Skip(offset).Take(limit).Select(m => m.Json)) + "]");
    }

    private static int? Parameter(IRequestMessage request, string name) =>
        request.Query is { } query && query.TryGetValue(name, out var values) ? int.Parse(values[0], CultureInfo.InvariantCulture) : null;

    private static ResponseMessage Ok(string json) => Respond(200, json);

    private static ResponseMessage Respond(int status, string json) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = json, DetectedBodyType = BodyType.String },
    };
}
