using System.Globalization;

namespace Dwcp.Streaming.Aggregations;

/// <summary>
/// A small arithmetic expression over metric names and numbers: <c>+ - * /</c>, parentheses, unary minus, e.g.
/// <c>usage * unit_price</c> or <c>(a + b) / 2</c>. A missing metric makes the result NaN (the event is skipped).
/// </summary>
internal static class MetricExpression
{
    public static Func<StreamEvent, double> Compile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var result = parser.ParseSum();
        parser.SkipSpaces();
        if (parser.Position < text.Length)
        {
            throw parser.Error("unexpected character '" + text[parser.Position] + "'");
        }

        return result;
    }

    private sealed class Parser(string text)
    {
        public int Position { get; private set; }

        public ArgumentException Error(string what) =>
            new($"Weight expression '{text}' is invalid at position {Position + 1}: {what}. Use metric names, numbers, + - * / and parentheses, e.g. 'usage * unit_price'.");

        public void SkipSpaces()
        {
            while (Position < text.Length && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public Func<StreamEvent, double> ParseSum()
        {
            var left = ParseProduct();
            while (true)
            {
                SkipSpaces();
                if (Position >= text.Length || (text[Position] != '+' && text[Position] != '-'))
                {
                    return left;
                }

                var op = text[Position++];
                var right = ParseProduct();
                var l = left;
                left = op == '+' ? e => l(e) + right(e) : e => l(e) - right(e);
            }
        }

        private Func<StreamEvent, double> ParseProduct()
        {
            var left = ParseFactor();
            while (true)
            {
                SkipSpaces();
                if (Position >= text.Length || (text[Position] != '*' && text[Position] != '/'))
                {
                    return left;
                }

                var op = text[Position++];
                var right = ParseFactor();
                var l = left;
                left = op == '*' ? e => l(e) * right(e) : e => l(e) / right(e);
            }
        }

        private Func<StreamEvent, double> ParseFactor()
        {
            SkipSpaces();
            if (Position >= text.Length)
            {
                throw Error("expected a metric name, number or '('");
            }

            var c = text[Position];
            if (c == '(')
            {
                Position++;
                var inner = ParseSum();
                SkipSpaces();
                if (Position >= text.Length || text[Position] != ')')
                {
                    throw Error("expected ')'");
                }

                Position++;
                return inner;
            }

            if (c == '-')
            {
                Position++;
                var operand = ParseFactor();
                return e => -operand(e);
            }

            var start = Position;
            if (char.IsDigit(c) || c == '.')
            {
                while (Position < text.Length && (char.IsDigit(text[Position]) || text[Position] is '.' or 'e' or 'E'))
                {
                    Position++;
                }

                if (!double.TryParse(text.AsSpan(start, Position - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    Position = start;
                    throw Error("bad number");
                }

                return _ => number;
            }

            if (char.IsLetter(c) || c == '_')
            {
                while (Position < text.Length && (char.IsLetterOrDigit(text[Position]) || text[Position] is '_' or '.'))
                {
                    Position++;
                }

                var name = text[start..Position];
                return e => e.TryGetMetric(name, out var v) ? v : double.NaN;
            }

            throw Error("unexpected character '" + c + "'");
        }
    }
}
