namespace Dwcp.Anomalies.Detectors;

/// <summary>What one presentation to <see cref="DualVigilanceArt"/> did.</summary>
internal enum ArtOutcome
{
    /// <summary>Only matched (learning was off): nothing changed.</summary>
    Observed,

    /// <summary>At least one category matched at or above the upper vigilance and was refined towards the input.</summary>
    Resonance,

    /// <summary>The best match lay between the two vigilances: a new category joined a known cluster.</summary>
    NewCategory,

    /// <summary>Nothing matched at the lower vigilance: a new category founded a new cluster (the novelty event).</summary>
    NewCluster,
}

/// <summary>
/// A dual-vigilance fuzzy ART network (Carpenter–Grossberg fuzzy ART with the two-threshold rule of da Silva et al.,
/// as used by ARTime). Inputs are vectors in [0, 1]^d, complement coded to (x, 1 − x); a category is the box
/// [w, 1 − w'] it has seen, stored as the element-wise minimum of its complement-coded members. The match of input x to
/// category w is M = (|x ∧ w|₁ / |w|₁)³ · E², where E is the same ratio over the last input element and its complement
/// only (the current level, which matters more than the shape). A match at or above the upper vigilance refines every
/// such category (w ← x ∧ w); otherwise a best match at or above the lower vigilance adds a new category to a known
/// cluster; otherwise the input founds a new cluster. At most <c>capacity</c> categories are kept: when full, the one
/// matched least recently is replaced.
/// </summary>
internal sealed class DualVigilanceArt
{
    private readonly int _dim;
    private readonly int _capacity;
    private readonly List<float[]> _weights = [];
    private readonly List<long> _lastUsed = [];
    private double[] _match = new double[16];
    private long _presentations;

    /// <param name="dimension">d: the length of the (un-complemented) input.</param>
    /// <param name="capacity">The most categories kept.</param>
    public DualVigilanceArt(int dimension, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _dim = dimension;
        _capacity = capacity;
    }

    /// <summary>Inputs matching a category at least this well refine it.</summary>
    public double UpperVigilance { get; set; }

    /// <summary>Inputs whose best match is below this found a new cluster.</summary>
    public double LowerVigilance { get; set; }

    /// <summary>Number of categories.</summary>
    public int Count => _weights.Count;

    /// <summary>The best match M of the last presentation (0 when there were no categories).</summary>
    public double BestMatch { get; private set; }

    /// <summary>The level (energy) similarity E of the best-matching category in the last presentation.</summary>
    public double BestEnergy { get; private set; }

    /// <summary>The stored (complement-coded) weights of category <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Weights(int index) => _weights[index];

    /// <summary>
    /// Moves every category's box along input elements [from, to) by u′ = scale·u + shift (scale ≥ 0), e.g. when the
    /// units of those features change.
    /// </summary>
    public void Rescale(int from, int to, double scale, double shift)
    {
        foreach (var w in _weights)
        {
            for (var k = from; k < to; k++)
            {
                var low = (scale * w[k]) + shift;
                var high = (scale * (1 - w[_dim + k])) + shift;
                w[k] = (float)Math.Clamp(low, 0, 1);
                w[_dim + k] = (float)Math.Clamp(1 - high, 0, 1);
            }
        }
    }

    /// <summary>Presents one input; learns from it when <paramref name="learn"/> is true.</summary>
    public ArtOutcome Present(ReadOnlySpan<double> input, bool learn)
    {
        if (input.Length != _dim)
        {
            throw new ArgumentException($"Expected {_dim} features, got {input.Length}.", nameof(input));
        }

        _presentations++;
        var n = _weights.Count;
        if (_match.Length < n)
        {
            Array.Resize(ref _match, Math.Max(n, _match.Length * 2));
        }

        double best = 0, bestEnergy = 0;
        for (var j = 0; j < n; j++)
        {
            var m = Match(input, _weights[j], out var energy);
            _match[j] = m;
            if (m > best)
            {
                best = m;
                bestEnergy = energy;
            }
        }

        BestMatch = best;
        BestEnergy = bestEnergy;
        if (!learn)
        {
            return ArtOutcome.Observed;
        }

        if (n > 0 && best >= UpperVigilance)
        {
            for (var j = 0; j < n; j++)
            {
                if (_match[j] >= UpperVigilance)
                {
                    Refine(input, _weights[j]);
                    _lastUsed[j] = _presentations;
                }
            }

            return ArtOutcome.Resonance;
        }

        Commit(input);
        return n > 0 && best >= LowerVigilance ? ArtOutcome.NewCategory : ArtOutcome.NewCluster;
    }

    /// <summary>M = (|x ∧ w|₁/|w|₁)³ · E², with E over the last element and its complement.</summary>
    private double Match(ReadOnlySpan<double> x, float[] w, out double energy)
    {
        double overlap = 0, size = 0;
        for (var k = 0; k < _dim; k++)
        {
            overlap += Math.Min(x[k], w[k]) + Math.Min(1 - x[k], w[_dim + k]);
            size += (double)w[k] + w[_dim + k];
        }

        var last = _dim - 1;
        var levelOverlap = Math.Min(x[last], w[last]) + Math.Min(1 - x[last], w[(2 * _dim) - 1]);
        var levelSize = (double)w[last] + w[(2 * _dim) - 1];
        energy = levelSize > 0 ? levelOverlap / levelSize : 0;
        var feature = overlap / (size > 0 ? size : 1e-3);
        return feature * feature * feature * energy * energy;
    }

    private void Refine(ReadOnlySpan<double> x, float[] w)
    {
        for (var k = 0; k < _dim; k++)
        {
            w[k] = (float)Math.Min(x[k], w[k]);
            w[_dim + k] = (float)Math.Min(1 - x[k], w[_dim + k]);
        }
    }

    private void Commit(ReadOnlySpan<double> x)
    {
        var w = new float[2 * _dim];
        for (var k = 0; k < _dim; k++)
        {
            w[k] = (float)x[k];
            w[_dim + k] = (float)(1 - x[k]);
        }

        if (_weights.Count < _capacity)
        {
            _weights.Add(w);
            _lastUsed.Add(_presentations);
            return;
        }

        var oldest = 0;
        for (var j = 1; j < _lastUsed.Count; j++)
        {
            oldest = _lastUsed[j] < _lastUsed[oldest] ? j : oldest;
        }

        _weights[oldest] = w;
        _lastUsed[oldest] = _presentations;
    }
}
