using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests.Reliability;

/// <summary>
/// What the fault suite shares: the soak switch, the event maker whose every event names its own index, the client
/// options, metric totals and condition waits with deadlines.
/// </summary>
internal static class FaultSuite
{
    /// <summary>The environment variable that turns on the soak mode: the same tests with larger counts.</summary>
    public const string SoakVariable = "JETSTREAM_SOAK";

    /// <summary>
    /// The class-level bound of every fault test, in milliseconds. It has to be a constant, so it covers the soak;
    /// the fast mode is bounded by <see cref="Deadline"/> on every wait.
    /// </summary>
    public const int CancelAfterMs = 1_800_000;

    /// <summary>Whether <c>JETSTREAM_SOAK=1</c> is set.</summary>
    public static bool Soak { get; } = Environment.GetEnvironmentVariable(SoakVariable) == "1";

    /// <summary>How much larger the counts are in the soak mode.</summary>
    public static int Factor => Soak ? 10 : 1;

    /// <summary>The most any one wait may take: a minute, or fifteen in the soak mode.</summary>
    public static TimeSpan Deadline => Soak ? TimeSpan.FromMinutes(15) : TimeSpan.FromSeconds(60);

    /// <summary>
    /// The client's options for <paramref name="server"/>: a tiny backoff so that reconnects cost milliseconds, and an
    /// idle timeout long enough never to fire unless a test asks for it.
    /// </summary>
    public static JetstreamOptions Options(JetstreamTestServer server, IMeterFactory? meters = null, JetstreamProtocol protocol = JetstreamProtocol.V1, JetstreamCompression compression = JetstreamCompression.None) => new()
    {
        Endpoint = server.Uri,
        Protocol = protocol,
        Compression = compression,
        MeterFactory = meters,
        Backoff = new BackoffPolicy { InitialDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20) },
        IdleTimeout = TimeSpan.FromSeconds(30),
    };

    // Event(i) fills one of ten templates, built once with TestEvents, instead of building JSON for every event.
    private const string IndexMark = "987654321987";
    private const string DidMark = "didmarkdidmarkdidmarkdidm";
    private static readonly string[] Templates = Enumerable.Range(0, 10).Select(kind => Template(kind, long.Parse(IndexMark, CultureInfo.InvariantCulture), "did:plc:" + DidMark)).ToArray();

    /// <summary>
    /// The <paramref name="i"/>-th source event: like real traffic, mostly likes and posts, some deletes, identity and
    /// account events. Every event carries its index, so that a test can check that each one arrived exactly once and
    /// in order, whatever the protocol or flavor: identity and account events as their relay <c>seq</c>, commits in the
    /// record key after a one-letter prefix.
    /// </summary>
    public static string Event(long i) =>
        Templates[i % 10]
            .Replace(IndexMark, i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(DidMark, (i % 37).ToString("D24", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The index <see cref="Event"/> wrote into <paramref name="e"/>.</summary>
    public static long Index(JetstreamEvent e) => e switch
    {
        IdentityEvent identity => identity.Seq,
        AccountEvent account => account.Seq,
        CommitEvent commit => long.Parse(commit.Commit.RKey.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture),
        _ => throw new AssertionException($"Unexpected event {e}."),
    };

    /// <summary>0, 1, …, <paramref name="count"/> − 1.</summary>
    public static IEnumerable<long> Indexes(long count, long start = 0)
    {
        for (var i = start; i < start + count; i++)
        {
            yield return i;
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; after <paramref name="timeout"/>, a <see cref="TimeoutException"/>
    /// naming <paramref name="what"/> and, when given, what <paramref name="state"/> says about the run.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout, CancellationToken token, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not within {timeout}: {what}.{(state is null ? string.Empty : " " + state())}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), token).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one figure line to the test output (shown with a detailed console logger), for docs/reliability.md.</summary>
    public static void Report(string line) =>
        TestContext.Out.WriteLine($"[reliability{(Soak ? " soak" : string.Empty)}] {line}");

    private static string Template(long kind, long i, string did) =>
        kind switch
        {
            0 => TestEvents.Identity(did: did, seq: i),
            1 => TestEvents.Account(did: did, active: false, status: "deactivated", seq: i),
            2 or 3 => TestEvents.Post($"post number {i}", rkey: $"p{i}", did: did),
            4 => TestEvents.Commit("app.bsky.feed.like", rkey: $"d{i}", operation: CommitOperation.Delete, did: did),
            _ => TestEvents.Like(rkey: $"l{i}", did: did),
        };
}

/// <summary>
/// Running totals of the client's counters on one <see cref="IMeterFactory"/>, by instrument and by the value of
/// <c>jetstream.reason</c>. Unlike a <c>MetricCollector</c> it keeps no measurement, so a million events cost nothing.
/// </summary>
internal sealed class MetricTotals : IDisposable
{
    private const string ReasonTag = "jetstream.reason";
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();

    public MetricTotals(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == JetstreamTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
            foreach (var tag in tags)
            {
                if (tag.Key == ReasonTag)
                {
                    _totals.AddOrUpdate(instrument.Name + "|" + tag.Value, value, (_, total) => total + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The total of <paramref name="instrument"/> over every tag.</summary>
    public long this[string instrument] => _totals.GetValueOrDefault(instrument);

    /// <summary>The total of <paramref name="instrument"/> with <c>jetstream.reason</c> = <paramref name="reason"/>.</summary>
    public long this[string instrument, string reason] => _totals.GetValueOrDefault(instrument + "|" + reason);

    public void Dispose() => _listener.Dispose();
}
