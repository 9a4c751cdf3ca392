using System.Text.Json;

namespace Raworc.StandIn.Tests;

public sealed class ContractTests
{
    [Fact]
    public async Task Seed_data_matches_the_contract()
    {
        await using var api = await Api.StartAsync();
        var spaces = (await api.GetAsync("spaces")).Json;
        var def = Assert.Single(spaces.EnumerateArray());
        Assert.Equal("default", def.Str("name"));
        Assert.Equal("system", def.Str("created_by"));
        Assert.Equal(JsonValueKind.Object, def.GetProperty("settings").ValueKind);

        var users = (await api.GetAsync("service-accounts")).Json.EnumerateArray().Select(a => a.Str("user")).Order().ToArray();
        Assert.Equal(["admin", "operator"], users);

        var admin = (await api.GetAsync("roles/admin")).Json;
        var rule = Assert.Single(admin.GetProperty("rules").EnumerateArray());
        Assert.Equal("*", rule.GetProperty("api_groups")[0].GetString());
        Assert.False(rule.TryGetProperty("resource_names", out _));
        Assert.Equal(200, (await api.GetAsync("roles/operator")).Code);
    }

    [Fact]
    public async Task Envelopes_carry_the_contract_codes_and_messages()
    {
        await using var api = await Api.StartAsync();
        Expect.Envelope(await api.GetAsync("spaces/nope"), 404, "NOT_FOUND", "Space not found");
        Expect.Envelope(await api.GetAsync("sessions/" + Guid.NewGuid()), 404, "NOT_FOUND", "Session not found");
        Expect.Envelope(await api.GetAsync("roles/nope"), 404, "NOT_FOUND", "Role not found");
        Expect.Envelope(await api.GetAsync("role-bindings/nope"), 404, "NOT_FOUND", "Role binding not found");
        Expect.Envelope(await api.GetAsync("spaces/default/secrets/NOPE"), 404, "NOT_FOUND", "Space secret not found");
        Expect.Envelope(await api.GetAsync("spaces/default/agents/nope"), 404, "NOT_FOUND", "Agent 'nope' not found in space 'default'");
        Expect.Envelope(await api.GetAsync("spaces/default/build/latest"), 404, "NOT_FOUND", "No builds found for space");
        Expect.Envelope(await api.GetAsync("spaces/default/build/" + Guid.NewGuid()), 404, "NOT_FOUND", "Build not found");
        Expect.Envelope(await api.PostAsync("spaces/nope/build"), 404, "NOT_FOUND", "Space 'nope' not found");
        Expect.Envelope(await api.PostAsync("sessions/" + Guid.NewGuid() + "/remix"), 404, "NOT_FOUND", "Parent session not found");

        Expect.Envelope(await api.PostAsync("spaces", """{"name":"default"}"""), 409, "CONFLICT", "A space with this name already exists");
        Expect.Envelope(await api.PostAsync("roles", """{"name":"admin","rules":[]}"""), 409, "CONFLICT", "Role already exists");
        Assert.Equal(200, (await api.PostAsync("spaces/default/secrets", """{"key_name":"K","value":"v"}""")).Code);
        Expect.Envelope(await api.PostAsync("spaces/default/secrets", """{"key_name":"K","value":"v"}"""), 409, "CONFLICT", "A secret with this key already exists in the space");
        Assert.Equal(201, (await api.PostAsync("spaces/default/agents", """{"name":"a","source_repo":"o/r"}""")).Code);
        Expect.Envelope(await api.PostAsync("spaces/default/agents", """{"name":"a","source_repo":"o/r"}"""), 409, "CONFLICT", "Agent with name 'a' already exists in space 'default'");

        Expect.Envelope(await api.DeleteAsync("spaces/default"), 400, "BAD_REQUEST", "Cannot delete the default space");
        Expect.Envelope(await api.PostAsync("spaces", """{"name":"bad name!"}"""), 400, "BAD_REQUEST",
            "Space name must contain only alphanumeric characters, underscores, hyphens, and dots");
        // Unknown role or duplicate binding: a database error, not 404/409.
        Expect.Envelope(await api.PostAsync("role-bindings", """{"role_name":"ghost","principal":"x","principal_type":"ServiceAccount"}"""), 500, "DATABASE_ERROR", "Database operation failed");
    }

    [Theory]
    [InlineData("spaces", """{"description":"d"}""", "name")]
    [InlineData("spaces/default/secrets", """{"value":"v"}""", "key_name")]
    [InlineData("spaces/default/secrets", """{"key_name":"k"}""", "value")]
    [InlineData("spaces/default/agents", """{"name":"a"}""", "source_repo")]
    [InlineData("service-accounts", """{"pass":"p"}""", "user")]
    [InlineData("roles", """{"name":"r"}""", "rules")]
    public async Task Missing_required_fields_are_422_text(string path, string body, string field)
    {
        await using var api = await Api.StartAsync();
        Expect.Text(await api.PostAsync(path, body), 422, $"missing field `{field}`");
    }

    [Fact]
    public async Task Body_rules_follow_the_framework_415_400_422()
    {
        await using var api = await Api.StartAsync();
        var sid = Guid.NewGuid();
        // 422 for a message without role (before the session is even looked up), plain text.
        var noRole = await api.PostAsync($"sessions/{sid}/messages", """{"content":"hi"}""");
        Expect.Text(noRole, 422, "Failed to deserialize the JSON body into the target type: missing field `role`");
        // null is not the same as omitted for `space`.
        Expect.Text(await api.PostAsync("sessions", """{"space":null}"""), 422, "invalid type: null, expected a string");
        // No JSON content type where a JSON body is needed.
        Expect.Text(await api.SendAsync(HttpMethod.Post, "spaces/default/build", "{}", contentType: "text/plain"), 415, "Content-Type: application/json");
        Expect.Text(await api.SendAsync(HttpMethod.Post, "spaces/default/build"), 415, "Content-Type: application/json");
        // Malformed JSON.
        Expect.Text(await api.PostAsync("spaces", "{\"name\":"), 400, "Failed to parse the request body as JSON");
        // Missing `state` on PUT /state.
        Expect.Text(await api.PutAsync($"sessions/{sid}/state", "{}"), 422, "missing field `state`");
        // Bad query values.
        Expect.Text(await api.GetAsync($"sessions/{sid}/messages?limit=ten"), 400, "Failed to deserialize query string");
    }

    [Fact]
    public async Task Status_codes_201_204_and_200_empty()
    {
        await using var api = await Api.StartAsync();
        Assert.Equal(200, (await api.PostAsync("spaces", """{"name":"lab","description":"L","settings":{"env":"x"}}""")).Code);

        var agent = await api.PostAsync("spaces/lab/agents", """{"name":"bot","source_repo":"o/r","source_branch":null}""");
        Assert.Equal(201, agent.Code);
        Assert.Equal("configured", agent.Json.Str("status"));
        Assert.Equal("system", agent.Json.Str("created_by"));
        Assert.Equal(JsonValueKind.Null, agent.Json.GetProperty("source_branch").ValueKind);
        Assert.Equal("main", (await api.PostAsync("spaces/lab/agents", """{"name":"b2","source_repo":"o/r"}""")).Json.Str("source_branch"));
        Assert.Equal("building", (await api.PostAsync("spaces/lab/agents/bot/deploy", null)).Json.Str("status"));
        Assert.Equal("stopped", (await api.PostAsync("spaces/lab/agents/bot/stop", null)).Json.Str("status"));
        Assert.Equal("running", (await api.SendAsync(HttpMethod.Patch, "spaces/lab/agents/bot/status", """{"status":"running"}""")).Json.Str("status"));
        Assert.Equal("bot", Assert.Single((await api.GetAsync("spaces/lab/agents/running")).Json.EnumerateArray()).Str("name"));
        var logs = (await api.GetAsync("spaces/lab/agents/bot/logs?lines=10&log_type=all")).Json;
        Assert.Equal(0, logs.GetProperty("stdout").GetArrayLength());

        Expect.EmptyBody(await api.DeleteAsync("spaces/lab/agents/bot"), 204);
        Expect.Envelope(await api.DeleteAsync("spaces/lab/secrets/NOPE"), 404, "NOT_FOUND", "Space secret not found");
        Assert.Equal(200, (await api.PostAsync("spaces/lab/secrets", """{"key_name":"K","value":"v"}""")).Code);
        Expect.EmptyBody(await api.DeleteAsync("spaces/lab/secrets/K"), 200);
        Assert.Equal(200, (await api.PostAsync("roles", """{"name":"reader","rules":[{"api_groups":["api"],"resources":["sessions"],"verbs":["get"]}]}""")).Code);
        Expect.EmptyBody(await api.DeleteAsync("roles/reader"), 200);
        Expect.EmptyBody(await api.DeleteAsync("spaces/lab"), 200);
        Expect.Envelope(await api.GetAsync("spaces/lab"), 404, "NOT_FOUND", "Space not found");
    }

    [Fact]
    public async Task Secret_values_only_with_show_values_true()
    {
        await using var api = await Api.StartAsync();
        var created = await api.PostAsync("spaces/default/secrets", """{"key_name":"API","value":"s3cret","description":"d"}""");
        Assert.Equal(200, created.Code);
        Assert.DoesNotContain("s3cret", created.Body);

        var plain = await api.GetAsync("spaces/default/secrets");
        Assert.DoesNotContain("encrypted_value", plain.Body);
        Assert.DoesNotContain("s3cret", plain.Body);
        Assert.False(Assert.Single(plain.Json.EnumerateArray()).TryGetProperty("value", out _));
        Assert.DoesNotContain("encrypted_value", (await api.GetAsync("spaces/default/secrets/API?show_values=false")).Body);

        var shown = await api.GetAsync("spaces/default/secrets?show_values=true");
        Assert.Equal("s3cret", Assert.Single(shown.Json.EnumerateArray()).Str("encrypted_value"));
        Assert.Equal("s3cret", (await api.GetAsync("spaces/default/secrets/API?show_values=true")).Json.Str("encrypted_value"));

        Expect.Text(await api.GetAsync("spaces/default/secrets?show_values=1"), 400, "show_values");
        Expect.Text(await api.GetAsync("spaces/default/secrets/API?show_values=yes"), 400, "show_values");

        var updated = await api.PutAsync("spaces/default/secrets/API", """{"value":"new"}""");
        Assert.Equal(200, updated.Code);
        Assert.DoesNotContain("encrypted_value", updated.Body);
        Assert.Equal("new", (await api.GetAsync("spaces/default/secrets/API?show_values=true")).Json.Str("encrypted_value"));
        Expect.Envelope(await api.PutAsync("spaces/default/secrets/API", "{}"), 404, "NOT_FOUND", "Space secret not found");
    }
}
