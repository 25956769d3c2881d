using System.Globalization;

namespace Dwcp.Demo.Tests;

/// <summary>
/// Pins seed 42 to known values so that a runtime, platform or library change that alters the output is caught.
/// If you change the generator on purpose, update these values and the numbers in docs/demo-data.md.
/// </summary>
public sealed class GoldenTests
{
    [Fact]
    public void The_first_week_of_seed_42_has_its_known_fingerprint()
    {
        var firstWeek = new DemoDataGenerator().GenerateRows()
            .TakeWhile(r => r.ChargePeriodStart < new DateTime(2023, 12, 8, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal("36D2E706E731D7267BA6ABB97E4B4EB4E2098E51EB6EE18A003FD73BF1BAD148", CanonicalText.Sha256(firstWeek));
    }

    [Fact]
    public void The_incidents_of_seed_42_have_their_known_dates_causes_and_extra_costs()
    {
        var incidents = new DemoDataGenerator().Incidents
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Id} {i.StartDate:yyyy-MM-dd}..{i.EndDate:yyyy-MM-dd} {i.RootCauseDimension}={i.RootCauseValue} {i.ExtraCost}"))
            .ToList();

        Assert.Equal(
        [
            "INC-01 2024-03-02..2024-03-04 Region=us-east-1 5432.4319824",
            "INC-02 2024-04-17..2024-04-20 Resource=arn:aws:lambda:us-east-1:826403759168:function:identity-label-printer-01 3147.9893201687",
            "INC-03 2024-06-23..2024-06-28 Sku=DZH318DGBTM8/8615 5953.45618944",
            "INC-04 2024-08-11..2024-08-15 SubAccount=bw-marketing-analytics 4627.4696875",
            "INC-05 2024-09-25..2024-09-29 Resource=m.brightwater.cn 7279.75035298",
        ],
        incidents);
    }
}
