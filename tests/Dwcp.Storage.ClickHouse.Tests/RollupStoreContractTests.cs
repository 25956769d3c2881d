using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The rollup contract against the DuckDB store in a fresh data folder.</summary>
public sealed class DuckDbRollupContractTests : RollupStoreContract
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-rollups");

    protected override Task<IRollupStore> OpenStore() => Task.FromResult<IRollupStore>(DuckDbRollupStore.Open(_dir));

    protected override async Task<IRollupStore> ReopenStore()
    {
        await Store.DisposeAsync();
        return DuckDbRollupStore.Open(_dir);
    }
}

/// <summary>The rollup contract against one ClickHouse server, each test on its own fresh database (dropped after it).</summary>
[Collection("clickhouse")]
public sealed class ClickHouseSingleNodeRollupContractTests(ClickHouseFixture fixture) : ClickHouseRollupContract(fixture, sharded: false);

/// <summary>The rollup contract against a 2-shard cluster of two local servers (Distributed table), each test on its own database.</summary>
[Collection("clickhouse-2")]
public sealed class ClickHouseShardedRollupContractTests(ClickHouseFixture fixture) : ClickHouseRollupContract(fixture, sharded: true);

/// <summary>Opens a ClickHouse cost store (which creates the rollup tables) and the rollup store over it.</summary>
public abstract class ClickHouseRollupContract(ClickHouseFixture fixture, bool sharded) : RollupStoreContract, IAsyncLifetime
{
    private readonly string _database = fixture.Servers.NewDatabase();
    private ClickHouseCostStore? _costs;

    protected override async Task<IRollupStore> OpenStore()
    {
        _costs = await ClickHouseCostStore.OpenAsync(fixture.Servers.Options(sharded, _database));
        return await ClickHouseRollupStore.OpenAsync(_costs);
    }

    protected override async Task<IRollupStore> ReopenStore()
    {
        await Store.DisposeAsync();
        await _costs!.DisposeAsync();
        return await OpenStore();
    }

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_costs is not null)
        {
            await _costs.DisposeAsync();
        }

        await fixture.Servers.DropDatabaseAsync(_database);
    }
}
