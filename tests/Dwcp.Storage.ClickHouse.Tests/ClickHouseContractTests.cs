using Dwcp.Storage.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The store contract against one ClickHouse server, each test on its own fresh database (dropped after it).</summary>
[Collection("clickhouse")]
public sealed class ClickHouseSingleNodeContractTests(ClickHouseFixture fixture) : CostStoreContract, IAsyncLifetime
{
    private readonly string _database = fixture.Servers.NewDatabase();

    protected override async Task<ICostStore> OpenStore() => await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(_database));

    protected override async Task<ICostStore> ReopenStore()
    {
        // A crash: the old instance goes away without aborting its open load.
        await Store.DisposeAsync();
        return await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(_database));
    }

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await fixture.Servers.DropDatabaseAsync(_database);
    }
}

/// <summary>The store contract against a 2-shard cluster of two local servers, each test on its own fresh database (dropped after it).</summary>
[Collection("clickhouse-2")]
public sealed class ClickHouseShardedContractTests(ClickHouseFixture fixture) : CostStoreContract, IAsyncLifetime
{
    private readonly string _database = fixture.Servers.NewDatabase();

    protected override async Task<ICostStore> OpenStore() => await ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(_database));

    protected override async Task<ICostStore> ReopenStore()
    {
        await Store.DisposeAsync();
        return await ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(_database));
    }

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await fixture.Servers.DropDatabaseAsync(_database);
    }
}
