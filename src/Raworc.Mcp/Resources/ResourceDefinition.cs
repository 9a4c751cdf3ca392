using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Resources;

/// <summary>
/// One kind of <c>raworc://</c> resource, declared once: its URI template (listed, matched when read, and named in
/// the server instructions), how it is listed, and how it is read.
/// </summary>
/// <param name="InstructionNote">What the server instructions add after the template, if anything.</param>
/// <param name="Read">Reads the resource from the template's variables, in template order.</param>
internal sealed record ResourceDefinition(string UriTemplate, string Name, string Title, string Description, string MimeType,
    Func<string[], CancellationToken, Task<string>> Read, string? InstructionNote = null)
{
    public ResourceTemplate ToTemplate() =>
        new() { UriTemplate = UriTemplate, Name = Name, Title = Title, Description = Description, MimeType = MimeType };

    /// <summary>The values of the template's variables in the decoded <paramref name="path"/>, or null when it is not this resource.</summary>
    public string[]? Match(string[] path)
    {
        string[] segments = UriTemplate[RaworcResources.Scheme.Length..].Split('/');
        if (segments.Length != path.Length) return null;
        var values = new List<string>();
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i].StartsWith('{')) values.Add(path[i]);
            else if (segments[i] != path[i]) return null;
        }
        return [.. values];
    }
}
