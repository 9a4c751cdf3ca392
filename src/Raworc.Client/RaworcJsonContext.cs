using System.Text.Json.Serialization;

namespace Raworc.Client;

/// <summary>The API's error envelope: <c>{"error":{"code":"NOT_FOUND","message":"Session not found"}}</c>.</summary>
public sealed record ErrorEnvelope(ApiError? Error);

public sealed record ApiError(string? Code, string? Message);

/// <summary>
/// Source-generated serialization for every wire type: snake_case names, nulls omitted (the API treats an explicit
/// null differently from an absent field), unknown fields ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(VersionInfo))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(Principal))]
[JsonSerializable(typeof(List<ServiceAccount>))]
[JsonSerializable(typeof(CreateServiceAccountRequest))]
[JsonSerializable(typeof(UpdateServiceAccountRequest))]
[JsonSerializable(typeof(UpdatePasswordRequest))]
[JsonSerializable(typeof(List<Role>))]
[JsonSerializable(typeof(List<RoleRule>))]
[JsonSerializable(typeof(CreateRoleRequest))]
[JsonSerializable(typeof(List<RoleBinding>))]
[JsonSerializable(typeof(CreateRoleBindingRequest))]
[JsonSerializable(typeof(List<Space>))]
[JsonSerializable(typeof(CreateSpaceRequest))]
[JsonSerializable(typeof(UpdateSpaceRequest))]
[JsonSerializable(typeof(List<Secret>))]
[JsonSerializable(typeof(CreateSecretRequest))]
[JsonSerializable(typeof(UpdateSecretRequest))]
[JsonSerializable(typeof(List<Agent>))]
[JsonSerializable(typeof(CreateAgentRequest))]
[JsonSerializable(typeof(UpdateAgentRequest))]
[JsonSerializable(typeof(UpdateAgentStatusRequest))]
[JsonSerializable(typeof(AgentLogs))]
[JsonSerializable(typeof(Build))]
[JsonSerializable(typeof(CreateBuildRequest))]
[JsonSerializable(typeof(List<Session>))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(UpdateSessionRequest))]
[JsonSerializable(typeof(UpdateSessionStateRequest))]
[JsonSerializable(typeof(SessionStateChange))]
[JsonSerializable(typeof(RemixSessionRequest))]
[JsonSerializable(typeof(List<Message>))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(MessageCount))]
[JsonSerializable(typeof(ClearedMessages))]
public sealed partial class RaworcJsonContext : JsonSerializerContext;
