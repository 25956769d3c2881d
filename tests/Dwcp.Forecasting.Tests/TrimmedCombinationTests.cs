using Dwcp.Forecasting.Ensemble;

namespace Dwcp.Forecasting.Tests;

public class TrimmedCombinationTests
{
    [Fact]
    public void Trimmed_mean_drops_the_lowest_and_highest_member_per_step()
    {
        double[][] parts = [[1, 10], [2, 40], [9, 20], [4, 30]];
        // Step 1: {1,2,4,9} → drop 1 and 9 → (2+4)/2 = 3. Step 2: {10,20,30,40} → drop 10 and 40 → 25.
        Assert.Equal([3.0, 25], Backtest.TrimmedMean(parts));
        // Two members: nothing to trim, the plain mean.
        Assert.Equal([1.5, 25], Backtest.TrimmedMean(parts[..2]));
    }
}
