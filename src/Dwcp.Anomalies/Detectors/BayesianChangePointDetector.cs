namespace Dwcp.Anomalies.Detectors;

/// <summary>
/// Bayesian online change point detection (Adams &amp; MacKay, 2007) for a Gaussian mean with known noise variance:
/// run-length posterior P(rₜ | x₁..ₜ) updated by the growth/change-point recursion with a constant hazard 1/λ, the
/// conjugate Normal prior on the segment mean, and truncation at <c>maxRunLength</c> (bounded memory). Inputs should be
/// standardised (e.g. robust z-scores), so the noise variance is 1. The statistic is the posterior probability that the
/// current run began within the last <c>recentRun</c> steps, i.e. that a change point happened very recently.
/// </summary>
public sealed class BayesianChangePointDetector : IOnlineDetector
{
    private readonly double _hazard;
    private readonly int _maxRun;
    private readonly int _recent;
    private readonly double _priorVariance;
    private double[] _prob;
    private double[] _mean;
    private double[] _var;
    private double[] _nextProb;
    private double[] _nextMean;
    private double[] _nextVar;
    private int _length;

    /// <summary>Creates the detector.</summary>
    /// <param name="hazardLambda">Expected run length λ between change points.</param>
    /// <param name="maxRunLength">Run lengths kept (older mass is folded into the longest).</param>
    /// <param name="recentRun">A change is "recent" when the run length is below this.</param>
    /// <param name="priorVariance">Prior variance of a new segment's mean (in units of the noise variance).</param>
    public BayesianChangePointDetector(double hazardLambda = 250, int maxRunLength = 300, int recentRun = 5, double priorVariance = 4.0)
    {
        _hazard = 1.0 / hazardLambda;
        _maxRun = maxRunLength;
        _recent = recentRun;
        _priorVariance = priorVariance;
        _prob = new double[maxRunLength + 1];
        _mean = new double[maxRunLength + 1];
        _var = new double[maxRunLength + 1];
        _nextProb = new double[maxRunLength + 1];
        _nextMean = new double[maxRunLength + 1];
        _nextVar = new double[maxRunLength + 1];
        _prob[0] = 1;
        _var[0] = priorVariance;
        _length = 1;
    }

    /// <summary>The most probable current run length.</summary>
    public int MapRunLength { get; private set; }

    /// <inheritdoc />
    public double Update(double value)
    {
        if (double.IsNaN(value))
        {
            return 0;
        }

        double changeMass = 0, total = 0;
        var newLength = Math.Min(_length + 1, _maxRun + 1);
        Array.Clear(_nextProb, 0, newLength);
        for (var r = 0; r < _length; r++)
        {
            // Predictive of x under run r: N(mean_r, var_r + 1).
            var pv = _var[r] + 1.0;
            var d = value - _mean[r];
            var pred = Math.Exp(-0.5 * d * d / pv) / Math.Sqrt(2 * Math.PI * pv);
            var joint = _prob[r] * pred;
            changeMass += joint * _hazard;
            var grown = Math.Min(r + 1, _maxRun);
            _nextProb[grown] += joint * (1 - _hazard);
            // Posterior of the mean after seeing x (Normal-Normal update, noise variance 1).
            var postVar = 1.0 / ((1.0 / _var[r]) + 1.0);
            _nextVar[grown] = postVar;
            _nextMean[grown] = postVar * ((_mean[r] / _var[r]) + value);
        }

        _nextProb[0] = changeMass;
        _nextMean[0] = 0;
        _nextVar[0] = _priorVariance;
        for (var r = 0; r < newLength; r++)
        {
            total += _nextProb[r];
        }

        if (total <= 0 || double.IsNaN(total))
        {
            // Every run length found the value impossible: certain change point.
            Array.Clear(_nextProb, 0, newLength);
            _nextProb[0] = 1;
            total = 1;
        }

        double recent = 0, best = -1;
        for (var r = 0; r < newLength; r++)
        {
            _nextProb[r] /= total;
            if (r < _recent)
            {
                recent += _nextProb[r];
            }

            if (_nextProb[r] > best)
            {
                best = _nextProb[r];
                MapRunLength = r;
            }
        }

        (_prob, _nextProb) = (_nextProb, _prob);
        (_mean, _nextMean) = (_nextMean, _mean);
        (_var, _nextVar) = (_nextVar, _var);
        _length = newLength;
        return recent;
    }
}
