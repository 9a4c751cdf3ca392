using System.Security.Cryptography;
using System.Text.Json;

namespace Raworc.StandIn;

/// <summary>
/// The whole in-memory state of one stand-in instance. Every access goes through <see cref="Gate"/>.
/// Asynchronous work (builds, session start-up, agent replies) is a queue of events with due times on
/// <see cref="StandInOptions.Clock"/>; <see cref="Advance"/> runs every due event, in (due time, sequence) order,
/// before each request is handled, so what a request sees depends only on the clock: deterministic, no timers.
/// </summary>
internal sealed class World
{
    public readonly Lock Gate = new();
    public StandInOptions Options { get; }

    private readonly TimeProvider _clock;
    private long _seq;
    private readonly PriorityQueue<Action<DateTimeOffset>, (DateTimeOffset Due, long Seq)> _events = new();

    public readonly Dictionary<string, Account> Accounts = new(StringComparer.Ordinal);
    public readonly Dictionary<string, TokenRec> Tokens = new(StringComparer.Ordinal);
    public readonly Dictionary<string, RoleRec> Roles = new(StringComparer.Ordinal);
    public readonly List<BindingRec> Bindings = [];
    public readonly Dictionary<string, SpaceRec> Spaces = new(StringComparer.Ordinal);
    public readonly Dictionary<string, SessionRec> Sessions = new(StringComparer.Ordinal);

    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static readonly string[] SessionStates = ["init", "idle", "busy", "closed", "errored", "deleted"];
    public static readonly string[] AgentStatuses = ["configured", "building", "running", "stopped", "error"];
    public static readonly string[] MessageRoles = ["user", "agent", "system"];

    /// <summary>Message content and secret values are MySQL <c>TEXT</c> columns: at most 65,535 bytes of UTF-8.</summary>
    public static bool FitsText(string text) => System.Text.Encoding.UTF8.GetByteCount(text) <= 65_535;

    public World(StandInOptions options)
    {
        Options = options;
        _clock = options.Clock;
        Seed();
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    public long NextSeq() => ++_seq;

    /// <summary>Runs <paramref name="body"/> under the lock after every due event has run.</summary>
    public T Locked<T>(Func<T> body)
    {
        lock (Gate)
        {
            Advance();
            return body();
        }
    }

    public void Schedule(DateTimeOffset due, Action<DateTimeOffset> action) => _events.Enqueue(action, (due, NextSeq()));

    /// <summary>Runs every event due at or before now; an event sees its own due time as "now".</summary>
    public void Advance()
    {
        var now = Now;
        while (_events.TryPeek(out _, out var key) && key.Due <= now)
        {
            var action = _events.Dequeue();
            action(key.Due);
        }
    }

    /// <summary>Signs this stand-in's tokens; a new one per start, as a real server's secret is its own.</summary>
    private readonly byte[] _tokenSecret = RandomNumberGenerator.GetBytes(32);

    /// <summary>A token shaped like Raworc's: an HS256 JWT with the claims Raworc puts in (sub, sub_type, space, exp, iat, iss).</summary>
    public string NewToken(string user, DateTimeOffset issued, DateTimeOffset expires)
    {
        static string Segment(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
        string header = Segment("""{"typ":"JWT","alg":"HS256"}"""u8.ToArray());
        var payload = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("sub", user);
            json.WriteString("sub_type", "ServiceAccount");
            json.WriteNull("space");
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteNumber("iat", issued.ToUnixTimeSeconds());
            json.WriteString("iss", "raworc-rbac");
            json.WriteEndObject();
        }
        string claims = Segment(payload.WrittenSpan.ToArray());
        string signature = Segment(HMACSHA256.HashData(_tokenSecret, System.Text.Encoding.ASCII.GetBytes($"{header}.{claims}")));
        return $"{header}.{claims}.{signature}";
    }

    public static string NewId() => Guid.NewGuid().ToString("D");

    private void Seed()
    {
        var t = Now;
        Accounts["admin"] = new Account { User = "admin", Pass = "admin", Description = "Default admin account", Active = true, CreatedAt = t, UpdatedAt = t, Seq = NextSeq() };
        Accounts["operator"] = new Account { User = "operator", Pass = "admin", Description = "Default operator account", Active = true, CreatedAt = t, UpdatedAt = t, Seq = NextSeq() };

        Roles["admin"] = new RoleRec
        {
            Name = "admin",
            Description = "Full administrative access",
            CreatedAt = t,
            Seq = NextSeq(),
            Rules = [new RuleDto { ApiGroups = ["*"], Resources = ["*"], Verbs = ["*"] }],
        };
        Roles["operator"] = new RoleRec
        {
            Name = "operator",
            Description = "Operator access to sessions and space secrets",
            CreatedAt = t,
            Seq = NextSeq(),
            Rules =
            [
                new RuleDto
                {
                    ApiGroups = ["api"],
                    Resources = ["sessions", "session_messages", "session_tasks", "space-secrets"],
                    Verbs = ["create", "read", "update", "delete", "list", "get", "read-values"],
                },
                new RuleDto { ApiGroups = ["api"], Resources = ["spaces"], Verbs = ["read", "list", "get"] },
            ],
        };

        Spaces["default"] = new SpaceRec
        {
            Name = "default",
            Description = "Default space",
            Settings = EmptyObject,
            Active = true,
            CreatedAt = t,
            UpdatedAt = t,
            CreatedBy = "system",
            Seq = NextSeq(),
        };
    }

    // ---- session machinery -------------------------------------------------------------------------------

    public SessionRec NewSession(string space, string createdBy, string? parentId, JsonElement metadata)
    {
        var now = Now;
        var s = new SessionRec
        {
            Id = NewId(),
            Space = space,
            CreatedBy = createdBy,
            State = "init",
            ParentSessionId = parentId,
            CreatedAt = now,
            Metadata = metadata,
            Seq = NextSeq(),
            ReadyAt = now + Options.SessionDelay,
        };
        s.AgentFreeAt = s.ReadyAt;
        Sessions[s.Id] = s;
        Schedule(s.ReadyAt, _ =>
        {
            if (s.State == "init") s.State = s.PendingReplies > 0 ? "busy" : "idle";
        });
        return s;
    }

    /// <summary>A user message arrived: the session gets busy and the agent answers after the reply delay.</summary>
    public void OnUserMessage(SessionRec s, MessageRec userMessage, DateTimeOffset now)
    {
        switch (s.State)
        {
            case "idle":
            case "busy":
                s.State = "busy";
                break;
            case "init":
                break; // answered once the session is up (the ready event then sets busy)
            default:
                return; // errored: nobody answers
        }

        var start = now > s.AgentFreeAt ? now : s.AgentFreeAt;
        if (start < s.ReadyAt) start = s.ReadyAt;
        var due = start + Options.ReplyDelay;
        s.AgentFreeAt = due;
        s.PendingReplies++;
        Schedule(due, at =>
        {
            s.PendingReplies--;
            if (s.State == "deleted") return;
            s.Messages.Add(new MessageRec
            {
                Id = NewId(),
                Role = "agent",
                Content = "Agent reply to: " + userMessage.Content,
                Metadata = EmptyObject,
                CreatedAt = at,
                Seq = NextSeq(),
            });
            s.LastActivityAt = at;
            if (s.PendingReplies == 0 && s.State == "busy") s.State = "idle";
        });
    }

    // ---- builds -------------------------------------------------------------------------------------------

    public BuildRec NewBuild(SpaceRec space)
    {
        var now = Now;
        var b = new BuildRec { Space = space, BuildId = NewId(), Status = "pending", StartedAt = now, Seq = NextSeq() };
        space.Builds.Add(b);
        Schedule(now + Options.BuildDelay, at =>
        {
            if (b.Status != "pending") return;
            b.Status = "building";
            Schedule(at + Options.BuildDelay, done =>
            {
                if (b.Status != "building") return;
                b.Status = "completed";
                b.ImageTag = $"raworc_space_{b.Space.Name}:{b.BuildId}";
                b.CompletedAt = done;
                b.AgentsDeployed = b.Space.Agents.OrderBy(a => a.Seq).Select(a => a.Name).ToList();
            });
        });
        return b;
    }
}

internal sealed class Account
{
    public required string User;
    public required string Pass;
    public string? Description;
    public bool Active;
    public DateTimeOffset CreatedAt, UpdatedAt;
    public DateTimeOffset? LastLoginAt;
    public long Seq;

    public ServiceAccountDto ToDto(bool fresh = false) => new()
    {
        User = User,
        Description = Description,
        Active = Active,
        CreatedAt = fresh ? Ts.Precise(CreatedAt) : Ts.Stored(CreatedAt),
        UpdatedAt = fresh ? Ts.Precise(UpdatedAt) : Ts.Stored(UpdatedAt),
        LastLoginAt = Ts.Stored(LastLoginAt),
    };
}

internal sealed class TokenRec
{
    public required string User;
    public DateTimeOffset ExpiresAt;
}

internal sealed class RoleRec
{
    public required string Name;
    public List<RuleDto> Rules = [];
    public string? Description;
    public DateTimeOffset CreatedAt;
    public long Seq;

    public RoleDto ToDto(bool fresh = false) => new()
    {
        Name = Name,
        Rules = Rules,
        Description = Description,
        CreatedAt = fresh ? Ts.Precise(CreatedAt) : Ts.Stored(CreatedAt),
    };
}

internal sealed class BindingRec
{
    public required string RoleName;
    public required string Principal;
    public required string PrincipalType;
    public string? Space;
    public DateTimeOffset CreatedAt;
    public long Seq;

    public RoleBindingDto ToDto(bool fresh = false) => new()
    {
        RoleName = RoleName,
        Principal = Principal,
        PrincipalType = PrincipalType,
        Space = Space,
        CreatedAt = fresh ? Ts.Precise(CreatedAt) : Ts.Stored(CreatedAt),
    };
}

internal sealed class SpaceRec
{
    public required string Name;
    public string? Description;
    public JsonElement Settings;
    public bool Active;
    public DateTimeOffset CreatedAt, UpdatedAt;
    public required string CreatedBy;
    public long Seq;
    public readonly SortedDictionary<string, SecretRec> Secrets = new(StringComparer.Ordinal);
    public readonly List<AgentRec> Agents = [];
    public readonly List<BuildRec> Builds = [];

    public SpaceDto ToDto() => new()
    {
        Name = Name,
        Description = Description,
        Settings = Settings,
        Active = Active,
        CreatedAt = Ts.Stored(CreatedAt),
        UpdatedAt = Ts.Stored(UpdatedAt),
        CreatedBy = CreatedBy,
    };
}

internal sealed class SecretRec
{
    public required string KeyName;
    public required string Value;
    public string? Description;
    public DateTimeOffset CreatedAt, UpdatedAt;
    public required string CreatedBy;

    public SecretDto ToDto(string space, bool showValue) => new()
    {
        Space = space,
        KeyName = KeyName,
        Description = Description,
        CreatedAt = Ts.Stored(CreatedAt),
        UpdatedAt = Ts.Stored(UpdatedAt),
        CreatedBy = CreatedBy,
        EncryptedValue = showValue ? Value : null,
    };
}

internal sealed class AgentRec
{
    public required string Name;
    public string? Description;
    public string? Purpose;
    public required string SourceRepo;
    public string? SourceBranch;
    public string Status = "configured";
    public DateTimeOffset CreatedAt, UpdatedAt;
    public long Seq;

    public AgentDto ToDto(string space) => new()
    {
        Name = Name,
        Space = space,
        Description = Description,
        Purpose = Purpose,
        SourceRepo = SourceRepo,
        SourceBranch = SourceBranch,
        Status = Status,
        CreatedAt = Ts.Stored(CreatedAt),
        UpdatedAt = Ts.Stored(UpdatedAt),
        CreatedBy = "system",
    };
}

internal sealed class BuildRec
{
    public required SpaceRec Space;
    public required string BuildId;
    public string Status = "pending";
    public string? ImageTag;
    public DateTimeOffset StartedAt;
    public DateTimeOffset? CompletedAt;
    public List<string> AgentsDeployed = [];
    public long Seq;

    public BuildDto ToDto(bool fresh = false) => new()
    {
        Space = Space.Name,
        Status = Status,
        ImageTag = ImageTag,
        BuildId = BuildId,
        StartedAt = fresh ? Ts.Precise(StartedAt) : Ts.Stored(StartedAt),
        CompletedAt = Ts.Stored(CompletedAt),
        AgentsDeployed = [.. AgentsDeployed],
        Error = null, // builds never fail here
    };
}

internal sealed class SessionRec
{
    public required string Id;
    public required string Space;
    public required string CreatedBy;
    public string State = "init";
    public string? ParentSessionId;
    public DateTimeOffset CreatedAt;
    public DateTimeOffset? LastActivityAt;
    public JsonElement Metadata;
    public long Seq;
    public readonly List<MessageRec> Messages = [];

    // Simulated container: when it is up, when the agent is free again, and how many answers are owed.
    public DateTimeOffset ReadyAt;
    public DateTimeOffset AgentFreeAt;
    public int PendingReplies;

    public SessionDto ToDto() => new()
    {
        Id = Id,
        Space = Space,
        CreatedBy = CreatedBy,
        State = State,
        // PUT /state ignores container_id and persistent_volume_id in 0.3.0, so both stay null.
        ContainerId = null,
        PersistentVolumeId = null,
        ParentSessionId = ParentSessionId,
        CreatedAt = Ts.Stored(CreatedAt),
        LastActivityAt = Ts.Stored(LastActivityAt),
        Metadata = Metadata,
    };
}

internal sealed class MessageRec
{
    public required string Id;
    public required string Role;
    public required string Content;
    public JsonElement Metadata;
    public DateTimeOffset CreatedAt;
    public long Seq;

    public MessageDto ToDto(string sessionId, bool fresh = false) => new()
    {
        Id = Id,
        SessionId = sessionId,
        Role = Role,
        Content = Content,
        Metadata = Metadata,
        CreatedAt = fresh ? Ts.Precise(CreatedAt) : Ts.Stored(CreatedAt),
    };
}
