using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Space secrets, passed to sessions as environment (ANTHROPIC_API_KEY is required to run sessions).</summary>
internal sealed class SecretTools(ToolContext context) : ToolProvider(context)
{
    /// <summary>Raworc 0.3.0 stores values in a MySQL TEXT column.</summary>
    private const int MaxValueBytes = 65_535;
    private const string ShowValuesArgument = "Include values; needs the user's consent.";

    private readonly SecretConsent _consent = new(context);

    public override ToolSet ToolSet => ToolSet.Secrets;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_secrets", "List secrets", ToolEffect.Read,
                "List a space's secrets; values only with show_values.")
            .InSpace()
            .Optional("show_values", Flag, ShowValuesArgument)
            .Handles(async c =>
            {
                bool show = c.OptionalBool("show_values") ?? false;
                return show && await _consent.CheckAsync(c, "list_secrets", $"the values of every secret of space {DisplayText.Quote(Space(c))}",
                        RaworcClient.SpaceNameProblem(Space(c))) is { } refusal
                    ? refusal
                    // Values only when asked for and allowed, even from an API that sends them unasked.
                    : await Results.Json(async () => show ? await Api.ListSecretsAsync(Space(c), show, c.Cancellation)
                        : [.. (await Api.ListSecretsAsync(Space(c), show, c.Cancellation)).Select(s => s with { EncryptedValue = null })]);
            });

        yield return Tool("create_secret", "Create secret", ToolEffect.Create, "Store a new secret in a space; the value is never returned.")
            .Required("name", Text, null).Alias("key_name", "key")
            .Required("value", Text, "At most 65,535 bytes of UTF-8.", maxLength: MaxValueBytes).MaxUtf8Bytes(MaxValueBytes).Sensitive()
            .InSpace()
            .Optional("description", Text, null)
            .Handles(c => Results.Json(async () => WithoutValue(await Api.CreateSecretAsync(Space(c),
                new CreateSecretRequest(c.String("name"), c.String("value"), c.OptionalString("description")), c.Cancellation))));

        yield return Tool("get_secret", "Get secret", ToolEffect.Read, "Get a secret; its value only with show_values.")
            .Required("name", Text, null).Alias("key", "key_name")
            .InSpace()
            .Optional("show_values", Flag, ShowValuesArgument)
            .Handles(async c =>
            {
                bool show = c.OptionalBool("show_values") ?? false;
                return show && await _consent.CheckAsync(c, "get_secret", $"the value of secret {DisplayText.Quote(c.String("name"))} of space {DisplayText.Quote(Space(c))}",
                        KeyProblem(c.String("name")), RaworcClient.SpaceNameProblem(Space(c))) is { } refusal
                    ? refusal
                    : await Results.Json(async () => show ? await Api.GetSecretAsync(Space(c), c.String("name"), show, c.Cancellation)
                        : (await Api.GetSecretAsync(Space(c), c.String("name"), show, c.Cancellation)) with { EncryptedValue = null });
            });

        yield return Tool("update_secret", "Update secret", ToolEffect.Update, "Replace a secret's value or description.")
            .Required("name", Text, null).Alias("key", "key_name")
            .InSpace()
            .Optional("value", Text, "At most 65,535 bytes of UTF-8.", maxLength: MaxValueBytes).MaxUtf8Bytes(MaxValueBytes).Sensitive()
            .Optional("description", Text, null)
            .AtLeastOneOf("value", "description")
            .Handles(c => Results.Json(async () => WithoutValue(await Api.UpdateSecretAsync(Space(c), c.String("name"),
                new UpdateSecretRequest(c.OptionalString("value"), c.OptionalString("description")), c.Cancellation))));

        yield return Tool("delete_secret", "Delete secret", ToolEffect.Delete, "Permanently delete a secret from a space.")
            .Required("name", Text, null).Alias("key", "key_name")
            .InSpace()
            .Handles(c => Results.Confirm(() => Api.DeleteSecretAsync(Space(c), c.String("name"), c.Cancellation),
                $"Deleted secret '{c.String("name")}' from space '{Space(c)}'."));
    }

    /// <summary>
    /// Why a secret key cannot be one, or null: a key is an environment variable name in the space's sessions, so
    /// it holds no control, invisible formatting (bidi) or line-separating character.
    /// </summary>
    private static string? KeyProblem(string key)
    {
        if (RaworcClient.SegmentProblem(key, "secret key") is { } problem) return problem;
        for (int i = 0; i < key.Length; i++)
            if (char.GetUnicodeCategory(key, i) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
                return $"No secret can have this key: character {i + 1} is the control or formatting character U+{(int)key[i]:X4}.";
        return null;
    }

    /// <summary>"Never the value", even from an API that echoes it back.</summary>
    private static Secret WithoutValue(Secret secret) => secret with { EncryptedValue = null };
}
