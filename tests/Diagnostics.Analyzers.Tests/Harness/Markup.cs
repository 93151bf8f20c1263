using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Diagnostics.Analyzers.Tests.Harness;

/// <summary>A marked span of test source: [|...|] (key null), {|#0:...|} (key "#0") or {|FPT001:...|} (key "FPT001").</summary>
public sealed record MarkedSpan(string? Key, TextSpan Span);

/// <summary>Parses location markup out of test sources.</summary>
public static class Markup
{
    public static (string Source, IReadOnlyList<MarkedSpan> Spans) Parse(string markup)
    {
        var text = new StringBuilder();
        var spans = new List<MarkedSpan>();
        var open = new Stack<(string? Key, int Start)>();
        int i = 0;
        while (i < markup.Length)
        {
            if (Starts(markup, i, "[|"))
            {
                open.Push((null, text.Length));
                i += 2;
            }
            else if (Starts(markup, i, "{|"))
            {
                int colon = markup.IndexOf(':', i + 2);
                if (colon < 0) throw new FormatException($"unterminated '{{|' markup at {i}");
                open.Push((markup.Substring(i + 2, colon - i - 2), text.Length));
                i = colon + 1;
            }
            else if (Starts(markup, i, "|]") || Starts(markup, i, "|}"))
            {
                if (open.Count == 0) throw new FormatException($"unbalanced markup close at {i}");
                var (key, start) = open.Pop();
                spans.Add(new MarkedSpan(key, TextSpan.FromBounds(start, text.Length)));
                i += 2;
            }
            else
            {
                text.Append(markup[i]);
                i++;
            }
        }

        if (open.Count != 0) throw new FormatException("unclosed markup");
        return (text.ToString(), spans);
    }

    private static bool Starts(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0;
}
