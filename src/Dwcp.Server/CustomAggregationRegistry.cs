using System.Text;
using System.Text.Json;
using Dwcp.Streaming;
using Microsoft.Extensions.Hosting;

namespace Dwcp.Server;

/// <summary>Where a custom aggregation was defined.</summary>
public enum AggregationSource
{
    /// <summary>In <c>analytics.streaming.aggregations</c> of the configuration (removed by editing the configuration).</summary>
    Config,

    /// <summary>Created at run time through GraphQL or REST; kept in <c>aggregations.json</c> beside the engine's log.</summary>
    Api,
}

/// <summary>A registered custom aggregation as the server lists it.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="Definition">Its JSON description (the <see cref="AggregationJson"/> form), as stored.</param>
/// <param name="Config">The parsed definition.</param>
/// <param name="Source">Where it was defined.</param>
public sealed record RegisteredAggregation(string Name, string Definition, AggregationConfig Config, AggregationSource Source);

/// <summary>
/// The server's custom aggregations: those of the configuration and those created at run time (GraphQL
/// <c>createCustomAggregation</c>, <c>POST /api/v1/aggregations</c>). Run-time ones are written to
/// <c>aggregations.json</c> in the engine's data folder (temporary file + rename, so the file is never half-written) and
/// registered again on the next start, before the engine replays its log, so their window state survives a restart.
/// Started before <see cref="RealtimeEngineHost"/>.
/// </summary>
public sealed class CustomAggregationRegistry : IHostedService
{
    /// <summary>File name of the run-time definitions in the engine's data folder.</summary>
    public const string FileName = "aggregations.json";

    private readonly RealtimeEngine _engine;
    private readonly IReadOnlyList<string> _configured;
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly List<RegisteredAggregation> _items = [];

    internal CustomAggregationRegistry(RealtimeEngineHost host, DwcpServerOptions options)
    {
        _engine = host.Engine;
        _configured = options.CustomAggregations;
        _path = Path.Combine(_engine.Config.DataDirectory ?? Path.Combine(options.DataDir, "stream"), FileName);
    }

    /// <summary>The registered aggregations, configuration ones first, then in creation order.</summary>
    public IReadOnlyList<RegisteredAggregation> List()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    /// <summary>Registers the configured aggregations and the stored run-time ones (before the engine starts).</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>Completion.</returns>
    /// <exception cref="InvalidOperationException">A definition is invalid; the message names it and where it came from.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            for (var i = 0; i < _configured.Count; i++)
            {
                Register(_configured[i], AggregationSource.Config, $"analytics.streaming.aggregations[{i}]");
            }

            if (File.Exists(_path))
            {
                var stored = ReadStored();
                for (var i = 0; i < stored.Count; i++)
                {
                    Register(stored[i], AggregationSource.Api, $"{_path}, entry {i + 1}");
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Creates a run-time aggregation from its JSON description and stores it.</summary>
    /// <param name="json">The description (keys of <see cref="AggregationJson"/>).</param>
    /// <returns>The registration.</returns>
    /// <exception cref="FormatException">The description is invalid, names an unknown window size, or the name is taken.</exception>
    public RegisteredAggregation Create(string json)
    {
        var (name, config) = AggregationJson.Parse(json);
        var definition = Canonical(json);
        lock (_lock)
        {
            try
            {
                _engine.CreateCustomAggregation(name, config);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException(ex.Message, ex);
            }

            var item = new RegisteredAggregation(name, definition, config, AggregationSource.Api);
            _items.Add(item);
            try
            {
                Save();
            }
            catch
            {
                // Not stored means not created: undo, so a restart never loses an aggregation a caller was told exists.
                _items.Remove(item);
                _engine.RemoveCustomAggregation(name);
                throw;
            }

            return item;
        }
    }

    /// <summary>Removes a run-time aggregation.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>False when no aggregation has that name.</returns>
    /// <exception cref="InvalidOperationException">It is defined in the configuration.</exception>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            var item = _items.Find(a => a.Name == name);
            if (item is null)
            {
                return false;
            }

            if (item.Source == AggregationSource.Config)
            {
                throw new InvalidOperationException($"The custom aggregation '{name}' is defined in analytics.streaming.aggregations of the configuration; remove it there and restart.");
            }

            _items.Remove(item);
            Save();
            _engine.RemoveCustomAggregation(name);
            return true;
        }
    }

    private void Register(string json, AggregationSource source, string where)
    {
        try
        {
            var (name, config) = AggregationJson.Parse(json);
            _engine.CreateCustomAggregation(name, config);
            _items.Add(new RegisteredAggregation(name, Canonical(json), config, source));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"Custom aggregation at {where} is invalid: {ex.Message}", ex);
        }
    }

    private List<string> ReadStored()
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(_path));
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidOperationException($"{_path} must hold a JSON array of aggregation descriptions; fix or delete it.");
            }

            return [.. doc.RootElement.EnumerateArray().Select(e => e.GetRawText())];
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{_path} is not valid JSON (line {ex.LineNumber + 1}): {ex.Message} Fix or delete it; it holds the aggregations created through the API.", ex);
        }
    }

    private void Save()
    {
        var directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        var text = new StringBuilder("[\n");
        var first = true;
        foreach (var item in _items.Where(i => i.Source == AggregationSource.Api))
        {
            text.Append(first ? "  " : ",\n  ").Append(item.Definition);
            first = false;
        }

        text.Append("\n]\n");
        var temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    /// <summary>The description as compact JSON (one line), as stored and listed.</summary>
    private static string Canonical(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement);
    }
}
