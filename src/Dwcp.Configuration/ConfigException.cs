namespace Dwcp.Configuration;

/// <summary>
/// The configuration cannot be used. <see cref="Exception.Message"/> says what is wrong, where (file and line,
/// environment variable or flag) and what to do, e.g.
/// <c>dwcp.yaml line 7: unknown key 'analytics.api.max_result'. Did you mean 'max_results'? ...</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ConfigException()
        : this("The DWCP configuration is not valid.")
    {
    }

    /// <summary>Creates an exception with no location.</summary>
    public ConfigException(string message)
        : this(message, file: null, line: null, column: null, keyPath: null)
    {
    }

    /// <summary>Creates an exception with no location, caused by <paramref name="innerException"/>.</summary>
    public ConfigException(string message, Exception innerException)
        : this(message, file: null, line: null, column: null, keyPath: null, innerException)
    {
    }

    /// <summary>Creates an exception that knows where the problem is.</summary>
    /// <param name="message">The full message, location included.</param>
    /// <param name="file">The configuration file, when the problem is in one.</param>
    /// <param name="line">1-based line in <paramref name="file"/>.</param>
    /// <param name="column">1-based column in <paramref name="file"/>.</param>
    /// <param name="keyPath">The key concerned, as in <see cref="LoadedConfig.Sources"/> (e.g. <c>api.query_timeout</c>).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ConfigException(string message, string? file, int? line, int? column, string? keyPath, Exception? innerException = null)
        : base(message, innerException)
    {
        File = file;
        Line = line;
        Column = column;
        KeyPath = keyPath;
    }

    /// <summary>The configuration file concerned (as given or found), or null when the problem is not in a file.</summary>
    public string? File { get; }

    /// <summary>1-based line in <see cref="File"/>, or null.</summary>
    public int? Line { get; }

    /// <summary>1-based column in <see cref="File"/>, or null.</summary>
    public int? Column { get; }

    /// <summary>
    /// The key concerned, without the <c>analytics.</c> prefix (e.g. <c>api.query_timeout</c>, as in
    /// <see cref="LoadedConfig.Sources"/>), or null when no single key is concerned (malformed YAML, an unknown
    /// environment variable, a top-level key other than <c>analytics</c>).
    /// </summary>
    public string? KeyPath { get; }
}
