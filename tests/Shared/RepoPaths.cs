namespace Dwcp.Tests;

/// <summary>Locates files of the repository from a test's output folder.</summary>
internal static class RepoPaths
{
    /// <summary>The repository root (the folder holding global.json).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository root.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The real FOCUS 1.0 sample (FinOps Foundation, CC BY 4.0).</summary>
    public static string FocusSample => Of("data", "samples", "focus", "focus_sample.csv");

    /// <summary>A fresh empty temporary folder, unique to the caller.</summary>
    public static string NewTempDir(string prefix = "dwcp-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "global.json")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (global.json) above " + AppContext.BaseDirectory);
    }
}
