using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Raworc.StandIn;

// Wire shapes of the Raworc REST API v0 (server 0.3.0). Every name is spelled out with [JsonPropertyName]
// so the snake_case wire names do not depend on any naming policy. Nulls are written (the real server
// writes `"description": null` etc.); the two fields the server omits are marked WhenWritingNull.

internal sealed class ErrorEnvelope
{
    [JsonPropertyName("error")] public ErrorBody Error { get; set; } = new();
}

internal sealed class ErrorBody
{
    [JsonPropertyName("code")] public string Code { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}

internal sealed class VersionDto
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("api")] public string Api { get; set; } = "";
}

internal sealed class LoginDto
{
    [JsonPropertyName("token")] public string Token { get; set; } = "";
    [JsonPropertyName("token_type")] public string TokenType { get; set; } = "Bearer";
    [JsonPropertyName("expires_at")] public string ExpiresAt { get; set; } = "";
}

internal sealed class MeDto
{
    [JsonPropertyName("user")] public string User { get; set; } = "";
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("type")] public string Type { get; set; } = "ServiceAccount";
}

internal sealed class ServiceAccountDto
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("user")] public string User { get; set; } = "";
    [JsonPropertyName("space")] public string? Space { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("active")] public bool Active { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("updated_at")] public string UpdatedAt { get; set; } = "";
    [JsonPropertyName("last_login_at")] public string? LastLoginAt { get; set; }
}

internal sealed class RuleDto
{
    [JsonPropertyName("api_groups")] public List<string> ApiGroups { get; set; } = [];
    [JsonPropertyName("resources")] public List<string> Resources { get; set; } = [];
    [JsonPropertyName("verbs")] public List<string> Verbs { get; set; } = [];

    [JsonPropertyName("resource_names")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? ResourceNames { get; set; }
}

internal sealed class RoleDto
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("rules")] public List<RuleDto> Rules { get; set; } = [];
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
}

internal sealed class RoleBindingDto
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("role_name")] public string RoleName { get; set; } = "";
    [JsonPropertyName("principal")] public string Principal { get; set; } = "";
    [JsonPropertyName("principal_type")] public string PrincipalType { get; set; } = "";
    [JsonPropertyName("space")] public string? Space { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
}

internal sealed class SpaceDto
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("settings")] public JsonElement Settings { get; set; }
    [JsonPropertyName("active")] public bool Active { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("updated_at")] public string UpdatedAt { get; set; } = "";
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "";
}

internal sealed class SecretDto
{
    [JsonPropertyName("space")] public string Space { get; set; } = "";
    [JsonPropertyName("key_name")] public string KeyName { get; set; } = "";
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("updated_at")] public string UpdatedAt { get; set; } = "";
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "";

    /// <summary>Only present with <c>?show_values=true</c>; holds the plaintext (the server's encryption is a TODO).</summary>
    [JsonPropertyName("encrypted_value")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EncryptedValue { get; set; }
}

internal sealed class AgentDto
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("space")] public string Space { get; set; } = "";
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("purpose")] public string? Purpose { get; set; }
    [JsonPropertyName("source_repo")] public string SourceRepo { get; set; } = "";
    [JsonPropertyName("source_branch")] public string? SourceBranch { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("updated_at")] public string UpdatedAt { get; set; } = "";
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "system";
}

internal sealed class AgentLogsDto
{
    [JsonPropertyName("agent_name")] public string AgentName { get; set; } = "";
    [JsonPropertyName("space")] public string Space { get; set; } = "";
    [JsonPropertyName("stdout")] public List<string> Stdout { get; set; } = [];
    [JsonPropertyName("stderr")] public List<string> Stderr { get; set; } = [];
    [JsonPropertyName("timestamp")] public string Timestamp { get; set; } = "";
}

internal sealed class BuildDto
{
    [JsonPropertyName("space")] public string Space { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("image_tag")] public string? ImageTag { get; set; }
    [JsonPropertyName("build_id")] public string BuildId { get; set; } = "";
    [JsonPropertyName("started_at")] public string StartedAt { get; set; } = "";
    [JsonPropertyName("completed_at")] public string? CompletedAt { get; set; }
    [JsonPropertyName("agents_deployed")] public List<string> AgentsDeployed { get; set; } = [];
    [JsonPropertyName("error")] public string? Error { get; set; }
}

internal sealed class SessionDto
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("space")] public string Space { get; set; } = "";
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "";
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("container_id")] public string? ContainerId { get; set; }
    [JsonPropertyName("persistent_volume_id")] public string? PersistentVolumeId { get; set; }
    [JsonPropertyName("parent_session_id")] public string? ParentSessionId { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
    [JsonPropertyName("last_activity_at")] public string? LastActivityAt { get; set; }
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
}

internal sealed class MessageDto
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("session_id")] public string SessionId { get; set; } = "";
    [JsonPropertyName("role")] public string Role { get; set; } = "";
    [JsonPropertyName("content")] public string Content { get; set; } = "";
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
    [JsonPropertyName("created_at")] public string CreatedAt { get; set; } = "";
}

internal sealed class StateUpdateDto
{
    [JsonPropertyName("success")] public bool Success { get; set; } = true;
    [JsonPropertyName("state")] public string State { get; set; } = "";
}

internal sealed class CountDto
{
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("session_id")] public string SessionId { get; set; } = "";
}

internal sealed class ClearDto
{
    [JsonPropertyName("deleted")] public long Deleted { get; set; }
    [JsonPropertyName("session_id")] public string SessionId { get; set; } = "";
}

[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Default,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(VersionDto))]
[JsonSerializable(typeof(LoginDto))]
[JsonSerializable(typeof(MeDto))]
[JsonSerializable(typeof(ServiceAccountDto))]
[JsonSerializable(typeof(List<ServiceAccountDto>))]
[JsonSerializable(typeof(RoleDto))]
[JsonSerializable(typeof(List<RoleDto>))]
[JsonSerializable(typeof(RoleBindingDto))]
[JsonSerializable(typeof(List<RoleBindingDto>))]
[JsonSerializable(typeof(SpaceDto))]
[JsonSerializable(typeof(List<SpaceDto>))]
[JsonSerializable(typeof(SecretDto))]
[JsonSerializable(typeof(List<SecretDto>))]
[JsonSerializable(typeof(AgentDto))]
[JsonSerializable(typeof(List<AgentDto>))]
[JsonSerializable(typeof(AgentLogsDto))]
[JsonSerializable(typeof(BuildDto))]
[JsonSerializable(typeof(SessionDto))]
[JsonSerializable(typeof(List<SessionDto>))]
[JsonSerializable(typeof(MessageDto))]
[JsonSerializable(typeof(List<MessageDto>))]
[JsonSerializable(typeof(StateUpdateDto))]
[JsonSerializable(typeof(CountDto))]
[JsonSerializable(typeof(ClearDto))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class StandInJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The instance responses are written with: like serde_json, it leaves <c>+</c>, <c>'</c>, <c>&lt;</c> and non-ASCII
    /// text unescaped (the default encoder would write <c>\u002B00:00</c>).
    /// </summary>
    public static StandInJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    });
}
