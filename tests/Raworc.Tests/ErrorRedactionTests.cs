namespace Raworc.Tests;

/// <summary>An API error that quotes the request never hands a password or secret value back in the error text.</summary>
public sealed class ErrorRedactionTests
{
    [Theory]
    [InlineData("create_secret", """{"key_name":"K","value":"sk-REDACT-ME-1"}""", "sk-REDACT-ME-1")]
    [InlineData("update_secret", """{"key":"K","value":"sk-REDACT-ME-2"}""", "sk-REDACT-ME-2")]
    [InlineData("create_service_account", """{"user":"bot","pass":"pw-REDACT-ME-3"}""", "pw-REDACT-ME-3")]
    [InlineData("update_service_account_password", """{"id":"bot","current_password":"pw-REDACT-ME-4","new_password":"x"}""", "pw-REDACT-ME-4")]
    [InlineData("update_service_account_password", """{"id":"bot","current_password":"x","new_password":"pw-REDACT-ME-5"}""", "pw-REDACT-ME-5")]
    public async Task Sensitive_values_echoed_by_the_api_are_masked(string tool, string arguments, string secret)
    {
        await using var host = await McpTestHost.StartAsync();
        host.Respond(422, $"Failed to deserialize the JSON body: invalid value `{secret}` at line 1", "text/plain");

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError);
        string text = McpTestHost.Text(result);
        Assert.DoesNotContain(secret, text);
        Assert.Contains("[redacted]", text);
        Assert.Contains("422", text);
    }

    [Fact]
    public async Task Other_arguments_stay_readable_in_errors()
    {
        await using var host = await McpTestHost.StartAsync();
        host.Respond(409, """{"error":{"code":"CONFLICT","message":"A secret with this key already exists in the space"}}""");

        var text = McpTestHost.Text(await host.CallAsync("create_secret", """{"key_name":"ANTHROPIC_API_KEY","value":"abc"}"""));

        Assert.Contains("A secret with this key already exists", text);
        Assert.DoesNotContain("[redacted]", text);
    }
}
