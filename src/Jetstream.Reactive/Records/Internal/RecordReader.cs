using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// The work of <c>Records&lt;T&gt;()</c> for one event: pick the matching creates and updates, deserialize, and report
/// records that do not fit (count, Debug log, the caller's callback) instead of failing.
/// </summary>
internal sealed class RecordReader<T>
    where T : class
{
    private const int PrefixBytes = 64;

    private readonly CollectionFilter _filter;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly Action<RecordError>? _onError;
    private readonly ILogger _logger;
    private readonly Counter<long> _invalid;

    public RecordReader(CollectionFilter filter, JsonTypeInfo<T> typeInfo, RecordOptions? options)
    {
        _filter = filter;
        _typeInfo = typeInfo;
        _onError = options?.OnError;
        _logger = options?.Logger ?? NullLogger.Instance;
        _invalid = RecordMetrics.For(options?.MeterFactory).RecordsInvalid;
    }

    /// <summary>
    /// The record of <paramref name="e"/>, when it is a create or update in a matching collection whose record fits
    /// <typeparamref name="T"/>. Throws only what the caller's <see cref="RecordOptions.OnError"/> throws, or an
    /// exception that says the metadata itself is broken.
    /// </summary>
    public bool TryRead(JetstreamEvent e, [NotNullWhen(true)] out RecordEvent<T>? result)
    {
        result = null;
        if (e is not CommitEvent commit || !commit.Commit.HasRecord || !_filter.Matches(commit.Commit.Collection))
        {
            return false;
        }

        T? record;
        try
        {
            record = commit.Commit.Deserialize(_typeInfo);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or OverflowException)
        {
            Report(commit, ex);
            return false;
        }

        if (record is null)
        {
            Report(commit, new JsonException("The record is JSON null."));
            return false;
        }

        result = new RecordEvent<T>(commit, record);
        return true;
    }

    private void Report(CommitEvent commit, Exception exception)
    {
        _invalid.Add(1);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var json = commit.Commit.RecordJson.Span;
            _logger.RecordSkipped(
                $"at://{commit.Did}/{commit.Commit.Collection}/{commit.Commit.RKey}",
                typeof(T).Name,
                json.Length,
                Printable(json[..Math.Min(json.Length, PrefixBytes)]),
                exception);
        }

        _onError?.Invoke(new RecordError(commit, typeof(T), exception));
    }

    private static string Printable(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8);
        return string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
