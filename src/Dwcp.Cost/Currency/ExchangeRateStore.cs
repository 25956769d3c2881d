using Dwcp.Core.Costs;

namespace Dwcp.Cost.Currency;

/// <summary>Where the query layer gets the current exchange rates from.</summary>
public interface IExchangeRateSource
{
    /// <summary>The rates as of now (an empty table when none were imported).</summary>
    ExchangeRateTable Current { get; }
}

/// <summary>A fixed table (tests and embedding).</summary>
/// <param name="table">The rates.</param>
public sealed class FixedExchangeRates(ExchangeRateTable table) : IExchangeRateSource
{
    /// <inheritdoc />
    public ExchangeRateTable Current { get; } = table;
}

/// <summary>What an import changed.</summary>
/// <param name="Read">Rates read from the file.</param>
/// <param name="Added">Rates new to the store.</param>
/// <param name="Replaced">Rates for a day and pair the store already had, with a different value (the file wins).</param>
/// <param name="Unchanged">Rates the store already had with the same value.</param>
/// <param name="Total">Rates in the store after the import.</param>
/// <param name="FirstDay">Earliest day in the file.</param>
/// <param name="LastDay">Latest day in the file.</param>
public sealed record ExchangeRateImport(int Read, int Added, int Replaced, int Unchanged, int Total, DateOnly? FirstDay, DateOnly? LastDay);

/// <summary>
/// The exchange-rate table of a data folder: <c>fx/rates.csv</c> in the long layout of <see cref="ExchangeRateCsv"/>.
/// Imports merge into it and replace it atomically (write to a temporary file, then rename); readers reload it when
/// the file changes, so a running server sees new rates without a restart.
/// </summary>
public sealed class ExchangeRateStore : IExchangeRateSource
{
    private readonly object _gate = new();
    private (DateTime Stamp, long Length, ExchangeRateTable Table)? _cache;

    /// <summary>Opens the table of a data folder (nothing is created until the first import).</summary>
    public ExchangeRateStore(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        FilePath = Path.Combine(Path.GetFullPath(dataDir), "fx", "rates.csv");
    }

    /// <summary>The file holding the rates.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public ExchangeRateTable Current
    {
        get
        {
            lock (_gate)
            {
                var info = new FileInfo(FilePath);
                if (!info.Exists)
                {
                    return ExchangeRateTable.Empty;
                }

                if (_cache is { } c && c.Stamp == info.LastWriteTimeUtc && c.Length == info.Length)
                {
                    return c.Table;
                }

                var table = new ExchangeRateTable(ExchangeRateCsv.Read(FilePath));
                _cache = (info.LastWriteTimeUtc, info.Length, table);
                return table;
            }
        }
    }

    /// <summary>Merges the rates of a file (either layout) into the store. Nothing changes when the file has an error.</summary>
    public ExchangeRateImport Import(string path, string baseCurrency = "EUR")
    {
        var incoming = ExchangeRateCsv.Read(path, baseCurrency);
        lock (_gate)
        {
            var merged = new Dictionary<(DateOnly, string, string), decimal>();
            foreach (var r in Current.All())
            {
                merged[(r.Date, r.Base, r.Quote)] = r.Rate;
            }

            int added = 0, replaced = 0, unchanged = 0;
            foreach (var r in incoming)
            {
                var key = (r.Date, r.Base, r.Quote);
                if (!merged.TryGetValue(key, out var old))
                {
                    added++;
                }
                else if (old == r.Rate)
                {
                    unchanged++;
                }
                else
                {
                    replaced++;
                }

                merged[key] = r.Rate;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var temp = FilePath + ".tmp";
            using (var writer = new StreamWriter(temp))
            {
                ExchangeRateCsv.WriteLong(writer, merged.OrderBy(kv => kv.Key.Item2, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item3, StringComparer.Ordinal)
                    .ThenBy(kv => kv.Key.Item1).Select(kv => new ExchangeRate(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value)));
            }

            File.Move(temp, FilePath, overwrite: true);
            _cache = null;
            return new ExchangeRateImport(incoming.Count, added, replaced, unchanged, merged.Count,
                incoming.Count == 0 ? null : incoming.Min(r => r.Date), incoming.Count == 0 ? null : incoming.Max(r => r.Date));
        }
    }
}
