using System.Diagnostics.Metrics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text;
using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.IntegrationTests.Archive.BackfillFixture;

namespace Jetstream.Reactive.IntegrationTests.Archive;

/// <summary>Retry delays run on the injected clock: doubling from the base, replaced by a server's Retry-After.</summary>
[CancelAfter(30_000)]
public sealed class BackfillRetryTimingTests
{
    [Test]
    public async Task Backfill_PlanRetries_WaitTheBackoffThenRetryAfterOnTheInjectedClock(CancellationToken token)
    {
        var time = new TimerWatchingTimeProvider(new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000)));
        var calls = 0;
        var handler = new StubHandler(_ => Interlocked.Increment(ref calls) switch
        {
            1 => Json(HttpStatusCode.ServiceUnavailable, """{"error":"ServiceUnavailable","message":"service not ready: loading"}"""),
            2 => Json(HttpStatusCode.TooManyRequests, """{"error":"RateLimitExceeded"}""", retryAfterSeconds: 2),
            _ => Json(HttpStatusCode.OK, """{"plannedThroughSeq":0,"sealedTipSeq":0,"segments":[],"stats":{}}"""),
        });
        var options = new JetstreamBackfillOptions(new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = new Uri("ws://127.0.0.1:9") })
        {
            HttpHandler = handler,
            TimeProvider = time,
            SnapshotOnly = true,
            RetryBaseDelay = TimeSpan.FromMilliseconds(500),
            MaxAttempts = 3,
        };

        var run = JetstreamArchive.Backfill(options).ToList().ToTask(token);

        // The clock moves only once the backoff's timer exists: seeing the call is not enough (CI loop: the test moved
        // the clock between the 429 and the library's wait for it, which then never ended).
        await WaitForAsync(() => calls == 1 && time.Created(TimeSpan.FromMilliseconds(500)), token);

        // Nothing happens until the clock reaches the backoff (a short real wait is the assertion).
        time.Advance(TimeSpan.FromMilliseconds(499));
        await Task.Delay(50, token);
        Assert.That(calls, Is.EqualTo(1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => calls == 2 && time.Created(TimeSpan.FromSeconds(2)), token);

        // The 429's Retry-After (2 s) replaces the doubled backoff (1 s).
        time.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(50, token);
        Assert.That(calls, Is.EqualTo(2));
        time.Advance(TimeSpan.FromMilliseconds(1));
        var events = await run.WaitAsync(TimeSpan.FromSeconds(10), token);
        Assert.That(calls, Is.EqualTo(3));
        Assert.That(events, Is.Empty, "an empty archive snapshot completes with nothing");
    }

    [Test]
    public async Task Backfill_Progress_AndMetrics_CountWhatWasReplayed(CancellationToken token)
    {
        await using var server = await StartAsync(token);
        Publish(server, 64);
        server.SealArchive(); // 8 blocks
        using var meters = new TestMeterFactory();
        using var delivered = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.archive.events.delivered");
        using var blocks = new MetricCollector<long>(meters, JetstreamTelemetry.MeterName, "jetstream.client.archive.blocks");
        var progress = new List<JetstreamBackfillProgress>();
        var options = Options(server, live => live with { MeterFactory = meters }) with
        {
            SnapshotOnly = true,
            AfterSeq = 0,
            Progress = System.Reactive.Observer.Create<JetstreamBackfillProgress>(p => progress.Add(p)),
        };

        var events = await CollectAsync(JetstreamArchive.Backfill(options), long.MaxValue, token);
        Assert.That(events, Has.Count.EqualTo(64));
        var last = progress[^1];
        Assert.Multiple(() =>
        {
            Assert.That(last.Phase, Is.EqualTo(JetstreamBackfillPhase.Completed));
            Assert.That(last.SealedTipSeq, Is.EqualTo(64));
            Assert.That(last.LastSeq, Is.EqualTo(64));
            Assert.That(last.EventsDelivered, Is.EqualTo(64));
            Assert.That(last.SegmentsDone, Is.EqualTo(1));
            Assert.That(last.BlocksDone, Is.EqualTo(8));
            Assert.That(last.BytesDownloaded, Is.EqualTo(server.GetArchiveSegment("seg_0000000000.jss")!.Length));
            Assert.That(last.Fraction, Is.EqualTo(1));
            Assert.That(progress.Select(p => p.LastSeq), Is.Ordered);
            Assert.That(delivered.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(64));
            Assert.That(blocks.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(8));
        });
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body, int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (retryAfterSeconds is { } s)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(s));
        }

        return response;
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }

    /// <summary>A <see cref="FakeTimeProvider"/> that also records the due time of every timer created on it.</summary>
    private sealed class TimerWatchingTimeProvider(FakeTimeProvider inner) : TimeProvider
    {
        private readonly List<TimeSpan> _dueTimes = [];

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public void Advance(TimeSpan delta) => inner.Advance(delta);

        /// <summary>Whether a timer due <paramref name="dueTime"/> after its creation was created.</summary>
        public bool Created(TimeSpan dueTime)
        {
            lock (_dueTimes)
            {
                return _dueTimes.Contains(dueTime);
            }
        }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = inner.CreateTimer(callback, state, dueTime, period);
            lock (_dueTimes)
            {
                _dueTimes.Add(dueTime);
            }

            return timer;
        }
    }
}
