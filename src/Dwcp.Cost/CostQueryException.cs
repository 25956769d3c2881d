namespace Dwcp.Cost;

/// <summary>Why a cost query was refused.</summary>
public enum CostQueryErrorKind
{
    /// <summary>The question is malformed (e.g. end before start). Fix the arguments.</summary>
    InvalidArgument,
    /// <summary>A configured limit was hit (results or page size). Narrow the query or page through it.</summary>
    LimitExceeded,
    /// <summary>The query ran longer than <c>api.query_timeout</c>.</summary>
    Timeout,
    /// <summary>A reporting currency was asked for and a charge's currency and day have no exchange rate. Import rates.</summary>
    MissingExchangeRate,
}

/// <summary>A cost query the layer refused or stopped, with a message a user can act on.</summary>
public sealed class CostQueryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CostQueryException(CostQueryErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>Creates the exception.</summary>
    public CostQueryException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public CostQueryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CostQueryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What kind of refusal this is.</summary>
    public CostQueryErrorKind Kind { get; }
}
