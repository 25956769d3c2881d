using System.Globalization;
using System.Text;
using Dwcp.Core.Costs;

namespace Dwcp.Cost.Currency;

/// <summary>A rate file that could not be read, with the place and a fix.</summary>
public sealed class ExchangeRateFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExchangeRateFormatException(string file, long line, string? column, string problem)
        : base($"{file}:{line}{(column is null ? string.Empty : $" column {column}")}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>Creates the exception.</summary>
    public ExchangeRateFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExchangeRateFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExchangeRateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The file.</summary>
    public string? File { get; }

    /// <summary>1-based line.</summary>
    public long Line { get; }

    /// <summary>Column name, when the problem is in one value.</summary>
    public string? Column { get; }
}

/// <summary>
/// Reads and writes exchange-rate CSV files. Two layouts are read, recognised by their header:
/// <list type="bullet">
/// <item><b>ECB reference rates</b> (<c>eurofxref-hist.csv</c>): <c>Date,USD,JPY,…</c>, one row per day, each value the
/// units of that currency per 1 EUR (the base, which <c>baseCurrency</c> may override); <c>N/A</c> or empty means no rate.</item>
/// <item><b>Long</b>: <c>date,base,quote,rate</c>, one rate per row: 1 base = rate quote.</item>
/// </list>
/// Dates are ISO <c>YYYY-MM-DD</c>; numbers use a dot as the decimal separator. The store writes the long layout.
/// </summary>
public static class ExchangeRateCsv
{
    /// <summary>Reads every rate of a file.</summary>
    public static IReadOnlyList<ExchangeRate> Read(string path, string baseCurrency = "EUR")
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path), baseCurrency);
    }

    /// <summary>Reads every rate from text (<paramref name="name"/> names it in errors).</summary>
    public static IReadOnlyList<ExchangeRate> Read(TextReader reader, string name, string baseCurrency = "EUR")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw new ExchangeRateFormatException(name, 1, null, "The file is empty. Expected a header: 'Date,USD,JPY,…' (ECB reference rates) or 'date,base,quote,rate'.");
        }

        var columns = header.Split(',').Select(c => c.Trim()).ToArray();
        var rates = new List<ExchangeRate>();
        long line = 1;
        if (columns.Length >= 4 && columns[..4].Select(c => c.ToLowerInvariant()).SequenceEqual(["date", "base", "quote", "rate"]))
        {
            string? text;
            while ((text = reader.ReadLine()) is not null)
            {
                line++;
                if (text.Length == 0)
                {
                    continue;
                }

                var f = text.Split(',');
                if (f.Length < 4)
                {
                    throw new ExchangeRateFormatException(name, line, null, $"Expected 4 fields (date,base,quote,rate); found {f.Length}.");
                }

                var date = ParseDate(f[0], name, line);
                var b = ParseCurrency(f[1], name, line, "base");
                var q = ParseCurrency(f[2], name, line, "quote");
                rates.Add(new ExchangeRate(date, b, q, ParseRate(f[3], name, line, "rate")));
            }

            return rates;
        }

        if (!columns[0].Equals("date", StringComparison.OrdinalIgnoreCase) || columns.Length < 2)
        {
            throw new ExchangeRateFormatException(name, 1, null,
                $"Unrecognised header '{Shorten(header)}'. Expected 'Date,USD,JPY,…' (ECB reference rates, base {baseCurrency}) or 'date,base,quote,rate'.");
        }

        var basis = ParseCurrency(baseCurrency, name, 1, "base currency");
        var quotes = new string?[columns.Length];
        for (var i = 1; i < columns.Length; i++)
        {
            // ECB files end every line with a comma: an empty trailing column is no currency.
            quotes[i] = columns[i].Length == 0 ? null : ParseCurrency(columns[i], name, 1, $"header column {i + 1}");
        }

        string? row;
        while ((row = reader.ReadLine()) is not null)
        {
            line++;
            if (row.Length == 0)
            {
                continue;
            }

            var f = row.Split(',');
            var date = ParseDate(f[0], name, line);
            if (f.Length > quotes.Length && f[quotes.Length..].Any(x => x.Trim().Length > 0))
            {
                throw new ExchangeRateFormatException(name, line, quotes.LastOrDefault(q => q is not null),
                    $"The line has {f.Length} fields but the header has {quotes.Length}. A decimal comma? Use a dot as the decimal separator.");
            }

            for (var i = 1; i < Math.Min(f.Length, quotes.Length); i++)
            {
                var v = f[i].Trim();
                if (quotes[i] is null || v.Length == 0 || v.Equals("N/A", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                rates.Add(new ExchangeRate(date, basis, quotes[i]!, ParseRate(v, name, line, quotes[i]!)));
            }
        }

        return rates;
    }

    /// <summary>Writes rates in the long layout (<c>date,base,quote,rate</c>).</summary>
    public static void WriteLong(TextWriter writer, IEnumerable<ExchangeRate> rates)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rates);
        writer.Write("date,base,quote,rate\n");
        foreach (var r in rates)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{r.Date:yyyy-MM-dd},{r.Base},{r.Quote},{r.Rate}\n"));
        }
    }

    private static DateOnly ParseDate(string text, string name, long line) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ExchangeRateFormatException(name, line, "date", $"'{Shorten(text)}' is not a date in the form YYYY-MM-DD.");

    private static string ParseCurrency(string text, string name, long line, string column)
    {
        var t = text.Trim().ToUpperInvariant();
        return t.Length == 3 && t.All(char.IsAsciiLetterUpper)
            ? t
            : throw new ExchangeRateFormatException(name, line, column, $"'{Shorten(text)}' is not an ISO 4217 currency code (three letters, e.g. USD).");
    }

    private static decimal ParseRate(string text, string name, long line, string column) =>
        decimal.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0
            ? r
            : throw new ExchangeRateFormatException(name, line, column, $"'{Shorten(text)}' is not a positive number (use a dot as the decimal separator).");

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
