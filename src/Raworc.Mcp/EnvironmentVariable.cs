namespace Raworc.Mcp;

/// <summary>
/// One environment variable the server reads: what <c>--help</c> prints, and what the README's tables and the MCP
/// Registry entry (packaging/server.json) are generated from.
/// </summary>
/// <param name="Name">The variable; proxy variables share one entry, their names separated by ", ".</param>
/// <param name="Meaning">One sentence, plain text.</param>
internal sealed record EnvironmentVariable(string Name, string Meaning)
{
    /// <summary>The value used when the variable is not set, if it is one value.</summary>
    public string? Default { get; init; }

    /// <summary>Where the value comes from when the variable is not set, when that is more than <see cref="Default"/>.</summary>
    public string? DefaultSource { get; init; }

    public VariableFormat Format { get; init; } = VariableFormat.String;

    /// <summary>The only values accepted, when there are few.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>A token or password: the Registry tells clients to store it as a secret.</summary>
    public bool Secret { get; init; }

    /// <summary>The command-line flag that overrides it, if any.</summary>
    public string? Flag { get; init; }

    /// <summary>
    /// The field of the Claude Desktop bundle's form that sets it; null leaves it out of the form. Chosen one by one:
    /// the form asks only what a person installing the bundle for themselves decides.
    /// </summary>
    public FormField? Form { get; init; }

    /// <summary>Read by <c>raworc-mcp http</c> only.</summary>
    public bool HttpMode { get; init; }

    /// <summary>A variable every HTTP client honours (proxies), not one of this server's settings.</summary>
    public bool Conventional { get; init; }

    /// <summary>The names of this entry (several for the proxy variables).</summary>
    public IReadOnlyList<string> Names => Name.Split(", ");

    /// <summary>How the default reads in prose: the source when there is one, else the value.</summary>
    public string? DefaultText => DefaultSource ?? Default;
}
