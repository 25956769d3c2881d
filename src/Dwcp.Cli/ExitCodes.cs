namespace Dwcp.Cli;

/// <summary>Process exit codes, as the CLI conventions ask.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (bad data, store or server error).</summary>
    public const int Failure = 1;

    /// <summary>The command line or its arguments were wrong.</summary>
    public const int Usage = 2;
}

/// <summary>A wrong argument that parsing alone could not catch (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    public UsageException()
        : this("Usage error.")
    {
    }

    public UsageException(string message, Exception inner)
        : this(message + " " + inner.Message)
    {
    }

    /// <summary>An argument exception's message without .NET's " (Parameter 'x')" suffix, which means nothing to a CLI user.</summary>
    public static string Plain(ArgumentException ex) =>
        ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : ex.Message;
}
