using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Raworc.Tests;

/// <summary>
/// Committed copies of what the model sees, under Snapshots/, so any change to it is a reviewed diff. With
/// UPDATE_SNAPSHOTS=true (scripts/generate-docs.sh) the tests write them instead of comparing.
/// </summary>
internal static class Snapshot
{
    // The wire format of the SDK (nulls omitted), indented for reviewable diffs.
    public static readonly JsonSerializerOptions Pretty = new(ModelContextProtocol.McpJsonUtilities.DefaultOptions)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static bool Updating => Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") is "true" or "1";

    /// <summary>The Snapshots folder of the source tree (not the build output), or a path below it.</summary>
    public static string PathOf(string name, [CallerFilePath] string testFile = "") =>
        Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots", name);

    /// <param name="name">A path below Snapshots/, e.g. tools/whoami.json.</param>
    public static void Assert(string name, string actual)
    {
        string path = PathOf(name);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Xunit.Assert.True(File.Exists(path), $"{path} is missing: run scripts/generate-docs.sh and commit it.");
        string expected = File.ReadAllText(path);
        if (expected != actual)
        {
            string diffFile = path + ".actual";
            File.WriteAllText(diffFile, actual);
            Xunit.Assert.Fail($"What the model sees changed. Review `diff {path} {diffFile}`; if intended, run scripts/generate-docs.sh and commit the snapshot.");
        }
    }
}
