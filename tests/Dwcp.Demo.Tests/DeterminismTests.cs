namespace Dwcp.Demo.Tests;

[Collection(DemoDataCollection.Name)]
public sealed class DeterminismTests(DemoDataFixture data)
{
    [Fact]
    public void The_same_seed_gives_byte_identical_rows_and_incidents()
    {
        var again = new DemoDataGenerator(new DemoOptions { Seed = 42 });

        Assert.Equal(data.Sha256, CanonicalText.Sha256(again.GenerateRows()));
        Assert.Equal(data.Generator.Incidents, again.Incidents);
    }

    [Fact]
    public void A_different_seed_gives_different_rows_and_incidents()
    {
        var other = new DemoDataGenerator(new DemoOptions { Seed = 7 });

        Assert.NotEqual(data.Sha256, CanonicalText.Sha256(other.GenerateRows()));
        Assert.NotEqual(data.Generator.Incidents.Select(i => (i.StartDate, i.ExtraCost)), other.Incidents.Select(i => (i.StartDate, i.ExtraCost)));
    }

    [Fact]
    public void Enumerating_the_rows_twice_gives_the_same_rows()
    {
        var generator = new DemoDataGenerator(new DemoOptions { Seed = 5, From = new(2024, 2, 20), To = new(2024, 3, 5) });

        var first = generator.GenerateRows().Select(CanonicalText.Render).ToList();
        var second = generator.GenerateRows().Select(CanonicalText.Render).ToList();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void The_default_options_are_seed_42_over_december_2023_to_december_2024()
    {
        var options = new DemoOptions();

        Assert.Equal(42, options.Seed);
        Assert.Equal(new DateOnly(2023, 12, 1), options.From);
        Assert.Equal(new DateOnly(2024, 12, 31), options.To);
        Assert.Equal(options, data.Generator.Options);
    }
}
