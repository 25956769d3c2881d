namespace Dwcp.Core.Focus;

/// <summary>The data type a FOCUS column holds.</summary>
public enum FocusDataType
{
    /// <summary>Free text or an allowed value.</summary>
    String,
    /// <summary>An exact decimal number (money or quantity).</summary>
    Decimal,
    /// <summary>A UTC date-time.</summary>
    DateTime,
    /// <summary>A JSON object kept as its text (Tags, SkuPriceDetails).</summary>
    Json,
}

/// <summary>How strongly the FOCUS specification requires a column.</summary>
public enum FocusFeatureLevel
{
    /// <summary>The column must be present in every FOCUS file.</summary>
    Mandatory,
    /// <summary>Present when the provider supports the feature.</summary>
    Conditional,
    /// <summary>Recommended to be present.</summary>
    Recommended,
}

/// <summary>One FOCUS 1.2 column and its constraints.</summary>
/// <param name="Name">The column id as the specification spells it, e.g. <c>BilledCost</c>.</param>
/// <param name="Ordinal">Position in <see cref="FocusColumns.All"/>.</param>
/// <param name="DataType">The data type.</param>
/// <param name="Level">Mandatory, conditional or recommended.</param>
/// <param name="AllowsNulls">Whether a cell may be null.</param>
/// <param name="Introduced">The FOCUS version that added the column (1.0 means 1.0 or earlier).</param>
/// <param name="Slot">Index into the typed value array of <see cref="FocusRow"/> for this column's type.</param>
public sealed record FocusColumn(
    string Name,
    int Ordinal,
    FocusDataType DataType,
    FocusFeatureLevel Level,
    bool AllowsNulls,
    string Introduced,
    int Slot)
{
    /// <summary>True for the 21 columns every FOCUS file must have.</summary>
    public bool IsMandatory => Level == FocusFeatureLevel.Mandatory;
}
