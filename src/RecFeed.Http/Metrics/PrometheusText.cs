using System.Globalization;
using System.Text;

namespace RecFeed.Http.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: a family's <c># HELP</c> and <c># TYPE</c> once, then its
/// samples, label values escaped. Callers write each family's samples together, right after its header.
/// </summary>
public sealed class PrometheusText(int capacity)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _b = new(capacity);

    public PrometheusText Family(string name, string type, string help)
    {
        _b.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        _b.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _b.Append(name);
        if (!labels.IsEmpty)
        {
            _b.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                    _b.Append(',');
                _b.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value);
                _b.Append('"');
            }
            _b.Append('}');
        }
        _b.Append(' ');
        if (double.IsPositiveInfinity(value))
            _b.Append("+Inf");
        else
            _b.Append(CultureInfo.InvariantCulture, $"{value}"); // shortest round-trip form; integers print without a point
        _b.Append('\n');
        return this;
    }

    /// <summary>A family with a single unlabelled sample.</summary>
    public PrometheusText Single(string name, string type, string help, double value) => Family(name, type, help).Sample(name, value);

    private void AppendEscaped(string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': _b.Append("\\\\"); break;
                case '"': _b.Append("\\\""); break;
                case '\n': _b.Append("\\n"); break;
                default: _b.Append(c); break;
            }
        }
    }

    public override string ToString() => _b.ToString();
}
