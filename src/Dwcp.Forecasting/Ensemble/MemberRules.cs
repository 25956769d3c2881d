namespace Dwcp.Forecasting.Ensemble;

/// <summary>Rules that shape the member list of <see cref="AutoForecaster"/>'s combinations.</summary>
internal static class MemberRules
{
    /// <summary>
    /// Moves every candidate named in <see cref="AutoForecasterOptions.AlwaysInclude"/> whose score is within
    /// <see cref="AutoForecasterOptions.AlwaysIncludeWithin"/> × the best into the top k of <paramref name="eligible"/>
    /// (k = <see cref="AutoForecasterOptions.FixedMembers"/>, else <see cref="AutoForecasterOptions.MaxMembers"/>), at
    /// position k − 1, so it replaces the weakest member of the top-k combination; the order is otherwise kept.
    /// </summary>
    /// <param name="eligible">Candidate indices, best first.</param>
    /// <param name="scores">Backtest scores by candidate index (lower is better).</param>
    /// <param name="names">Candidate names by index.</param>
    /// <param name="options">The forecaster's options.</param>
    public static List<int> WithForced(List<int> eligible, IReadOnlyList<double> scores, IReadOnlyList<string> names, AutoForecasterOptions options)
    {
        if (options.AlwaysInclude.Count == 0 || eligible.Count == 0)
        {
            return eligible;
        }

        int k = options.FixedMembers > 0 ? options.FixedMembers : options.MaxMembers;
        double best = scores[eligible[0]];
        var list = new List<int>(eligible);
        int forcedSlot = k - 1;
        foreach (var name in options.AlwaysInclude)
        {
            int pos = list.FindIndex(i => names[i].Equals(name, StringComparison.OrdinalIgnoreCase));
            if (pos < 0 || pos < k || !(scores[list[pos]] <= options.AlwaysIncludeWithin * best) || forcedSlot < 1)
            {
                continue;
            }

            int idx = list[pos];
            list.RemoveAt(pos);
            list.Insert(forcedSlot, idx);
            forcedSlot--;
        }

        return list;
    }
}
