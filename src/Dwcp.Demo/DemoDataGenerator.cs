using System.Text.Json;
using System.Text.Json.Serialization;
using Dwcp.Core;
using Dwcp.Core.Focus;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;
using Dwcp.Demo.Generation;

namespace Dwcp.Demo;

/// <summary>
/// Deterministic FOCUS 1.2 demo data for the fictional company Brightwater Logistics: a multi-cloud estate (AWS,
/// Azure, Google Cloud, Oracle, IBM, Alibaba) with one row per resource (or per non-resource SKU line) per UTC day,
/// weekly and seasonal shapes, growth, commitment discounts, credits, taxes and a few injected incidents.
/// </summary>
/// <remarks>
/// The output depends only on <see cref="DemoOptions"/>: every random draw comes from the generator's own
/// SplitMix64/xoshiro256** streams keyed by the seed, nothing reads the clock, and no step depends on hash or
/// dictionary order. See <c>docs/demo-data.md</c>.
/// </remarks>
public sealed class DemoDataGenerator
{
    /// <summary>Name of the fictional company the data belongs to.</summary>
    public const string CompanyName = Company.Name;

    private static readonly JsonSerializerOptions IncidentJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters =
        {
            new JsonStringEnumConverter<CloudProvider>(JsonNamingPolicy.SnakeCaseUpper),
            new JsonStringEnumConverter<DemoRootCauseDimension>(JsonNamingPolicy.SnakeCaseLower),
        },
    };

    private readonly Window _window;
    private readonly IReadOnlyList<UsageLine> _lines;
    private readonly DailyResolver _resolver;
    private readonly IReadOnlyList<Commitment> _commitments;

    /// <summary>Builds the estate, plans commitments and incidents. Rows are produced lazily by <see cref="GenerateRows"/>.</summary>
    /// <param name="options">Seed and window; null for the defaults.</param>
    /// <exception cref="ArgumentException">When the window ends before it starts.</exception>
    public DemoDataGenerator(DemoOptions? options = null)
    {
        Options = options ?? new DemoOptions();
        if (Options.To < Options.From)
        {
            throw new ArgumentException($"The window ends ({Options.To:yyyy-MM-dd}) before it starts ({Options.From:yyyy-MM-dd}).", nameof(options));
        }

        _window = new Window(Options.From, Options.To);
        _lines = EstateBuilder.Build(Options.Seed, _window.Days);
        var model = new UsageModel(Options.Seed, _window);
        var (incidents, effects) = IncidentPlanner.Plan(Options.Seed, _lines, model);
        _resolver = new DailyResolver(model, _lines.Count, effects);
        _commitments = CommitmentPlanner.Plan(_lines, _resolver);
        foreach (var line in effects.SelectMany(e => e.Lines))
        {
            if (_commitments.Any(c => c.Eligible(_lines[line])))
            {
                throw new InvalidOperationException($"Incident line {_lines[line].ResourceId ?? _lines[line].Service.Name} is covered by a commitment.");
            }
        }

        Incidents = incidents;
    }

    /// <summary>The options the data is generated with.</summary>
    public DemoOptions Options { get; }

    /// <summary>The incidents injected into the data, in date order of their planning slot.</summary>
    public IReadOnlyList<DemoIncident> Incidents { get; }

    /// <summary>
    /// Streams every row of the window (about 250,000 for the default window), day by day. Each call starts over
    /// and yields fresh, identical rows.
    /// </summary>
    public IEnumerable<FocusRow> GenerateRows() => new RowStream(_window, _lines, _resolver, _commitments).Rows();

    /// <summary>Writes incidents as an indented JSON array with snake_case properties (an <c>incidents.json</c> file).</summary>
    /// <param name="path">The file to create or overwrite; its folder is created when missing.</param>
    /// <param name="incidents">The incidents, usually <see cref="Incidents"/>.</param>
    public static void WriteIncidentsJson(string path, IReadOnlyList<DemoIncident> incidents)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(incidents);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(incidents, IncidentJson) + "\n");
    }
}
