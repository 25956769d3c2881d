namespace Dwcp.Forecasting.Numerics;

/// <summary>Derivative-free minimiser (Nelder–Mead simplex with standard coefficients 1, 2, 0.5, 0.5).</summary>
internal static class NelderMead
{
    /// <summary>Minimises <paramref name="f"/> from <paramref name="start"/>; returns the best point and its value.</summary>
    public static (double[] X, double F) Minimize(Func<double[], double> f, double[] start, double[] step, int maxEvals = 1000, double tol = 1e-8)
    {
        int n = start.Length;
        var pts = new double[n + 1][];
        var vals = new double[n + 1];
        pts[0] = (double[])start.Clone();
        vals[0] = f(pts[0]);
        int evals = 1;
        for (int i = 0; i < n; i++)
        {
            var p = (double[])start.Clone();
            p[i] += step[i];
            pts[i + 1] = p;
            vals[i + 1] = f(p);
            evals++;
        }

        var centroid = new double[n];
        var trial = new double[n];
        var trial2 = new double[n];
        var order = new int[n + 1];
        while (evals < maxEvals)
        {
            for (int i = 0; i <= n; i++)
            {
                order[i] = i;
            }

            Array.Sort(order, (a, b) => vals[a].CompareTo(vals[b]));
            int best = order[0], worst = order[n], second = order[n - 1];
            if (Math.Abs(vals[worst] - vals[best]) <= tol * (Math.Abs(vals[best]) + tol))
            {
                break;
            }

            Array.Clear(centroid);
            for (int i = 0; i <= n; i++)
            {
                if (i == worst)
                {
                    continue;
                }

                for (int k = 0; k < n; k++)
                {
                    centroid[k] += pts[i][k] / n;
                }
            }

            for (int k = 0; k < n; k++)
            {
                trial[k] = centroid[k] + (centroid[k] - pts[worst][k]);
            }

            double fr = f(trial);
            evals++;
            if (fr < vals[best])
            {
                for (int k = 0; k < n; k++)
                {
                    trial2[k] = centroid[k] + 2 * (centroid[k] - pts[worst][k]);
                }

                double fe = f(trial2);
                evals++;
                if (fe < fr)
                {
                    Array.Copy(trial2, pts[worst], n);
                    vals[worst] = fe;
                }
                else
                {
                    Array.Copy(trial, pts[worst], n);
                    vals[worst] = fr;
                }
            }
            else if (fr < vals[second])
            {
                Array.Copy(trial, pts[worst], n);
                vals[worst] = fr;
            }
            else
            {
                bool outside = fr < vals[worst];
                for (int k = 0; k < n; k++)
                {
                    trial2[k] = outside
                        ? centroid[k] + 0.5 * (trial[k] - centroid[k])
                        : centroid[k] + 0.5 * (pts[worst][k] - centroid[k]);
                }

                double fc = f(trial2);
                evals++;
                if (fc < Math.Min(fr, vals[worst]))
                {
                    Array.Copy(trial2, pts[worst], n);
                    vals[worst] = fc;
                }
                else
                {
                    for (int i = 0; i <= n; i++)
                    {
                        if (i == best)
                        {
                            continue;
                        }

                        for (int k = 0; k < n; k++)
                        {
                            pts[i][k] = pts[best][k] + 0.5 * (pts[i][k] - pts[best][k]);
                        }

                        vals[i] = f(pts[i]);
                        evals++;
                    }
                }
            }
        }

        int arg = 0;
        for (int i = 1; i <= n; i++)
        {
            if (vals[i] < vals[arg])
            {
                arg = i;
            }
        }

        return (pts[arg], vals[arg]);
    }
}
