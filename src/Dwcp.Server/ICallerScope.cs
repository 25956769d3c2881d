using Dwcp.Core.Costs;

namespace Dwcp.Server;

/// <summary>
/// The scope of the caller of the current request. Until authentication exists it is the local user's scope from
/// configuration (<c>analytics.scope</c> / <c>--scope</c>). It is never read from a request header or argument:
/// a client must not choose its own scope.
/// </summary>
public interface ICallerScope
{
    /// <summary>What the caller may see.</summary>
    CostScope Current { get; }
}

/// <summary>The configured local-user scope.</summary>
public sealed class ConfiguredCallerScope(CostScope scope) : ICallerScope
{
    /// <inheritdoc />
    public CostScope Current { get; } = scope;
}
