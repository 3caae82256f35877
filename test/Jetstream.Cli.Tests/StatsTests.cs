using Jetstream.Cli.Infrastructure;
using Jetstream.Cli.Stats;
using Jetstream.Reactive;
using Jetstream.Reactive.Testing;
using NUnit.Framework;
using Spectre.Console;

namespace Jetstream.Cli.Tests;

/// <summary>The dashboard's numbers (computed apart from rendering), its rendering, and <c>stats</c>/<c>demo</c> end to end.</summary>
[CancelAfter(20_000)]
public sealed class StatsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 7, 4, 14, 0, 0, TimeSpan.Zero);

    private static long Us(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static StatsSample Sample(double seconds, long commits = 0, long identities = 0, long accounts = 0, Dictionary<string, long>? collections = null, long bytes = 0, long dropped = 0, long reconnects = 0, DateTimeOffset? first = null, DateTimeOffset? last = null) => new()
    {
        At = T0.AddSeconds(seconds),
        EventsByKind = [commits, identities, accounts, 0],
        CommitsByCollection = collections ?? [],
        BytesReceived = bytes,
        Dropped = dropped,
        Reconnects = reconnects,
        FirstEventTimeUs = first is { } f ? Us(f) : null,
        LastEventTimeUs = last is { } l ? Us(l) : null,
    };

    [Test]
    public void Add_TwoSamples_RatesAreTheDifferencesOverTheSpan()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5));
        calculator.Add(Sample(0));

        var s = calculator.Add(Sample(2, commits: 900, identities: 60, accounts: 40, bytes: 400_000, dropped: 3, reconnects: 1, collections: new() { ["app.bsky.feed.like"] = 600, ["app.bsky.feed.post"] = 300 }, first: T0, last: T0.AddSeconds(1.75)));

        Assert.That(s.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(s.RateWindow, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(s.TotalEvents, Is.EqualTo(1_000));
        Assert.That(s.EventsPerSecond, Is.EqualTo(500));
        Assert.That(s.Kinds.Select(k => (k.Kind, k.Total, k.PerSecond)), Is.EqualTo(new[]
        {
            (JetstreamEventKind.Commit, 900L, 450.0), (JetstreamEventKind.Identity, 60L, 30.0),
            (JetstreamEventKind.Account, 40L, 20.0), (JetstreamEventKind.Sync, 0L, 0.0),
        }));
        Assert.That(s.BytesPerSecond, Is.EqualTo(200_000));
        Assert.That(s.Dropped, Is.EqualTo(3));
        Assert.That(s.Reconnects, Is.EqualTo(1));
        Assert.That(s.Lag, Is.EqualTo(TimeSpan.FromSeconds(0.25)));
        Assert.That(s.CatchUp, Is.Null, "a quarter of a second behind is live");
    }

    [Test]
    public void Add_ManySamples_RatesCoverOnlyTheWindow()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5));
        for (var second = 0; second <= 10; second++)
        {
            // 100 events/s for the first five seconds, then 300/s.
            var events = second <= 5 ? second * 100L : 500 + ((second - 5) * 300L);
            var s = calculator.Add(Sample(second, commits: events));
            if (second == 10)
            {
                Assert.That(s.RateWindow, Is.EqualTo(TimeSpan.FromSeconds(5)));
                Assert.That(s.EventsPerSecond, Is.EqualTo(300));
                Assert.That(s.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(10)));
            }
        }
    }

    [Test]
    public void Add_Collections_TopByRateThenTotalWithTheirShare()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5), topCollections: 3);
        calculator.Add(Sample(0, collections: new() { ["app.bsky.feed.like"] = 100, ["app.bsky.graph.follow"] = 500 }));

        var s = calculator.Add(Sample(1, collections: new()
        {
            ["app.bsky.feed.like"] = 400, ["app.bsky.graph.follow"] = 500, ["app.bsky.feed.post"] = 50, ["app.bsky.feed.repost"] = 50,
        }));

        Assert.That(s.CollectionCount, Is.EqualTo(4));
        Assert.That(s.TopCollections.Select(c => c.Collection), Is.EqualTo(new[] { "app.bsky.feed.like", "app.bsky.feed.post", "app.bsky.feed.repost" }));
        Assert.That(s.TopCollections[0].PerSecond, Is.EqualTo(300));
        Assert.That(s.TopCollections[0].Share, Is.EqualTo(0.4));
        Assert.That(s.TopCollections[1].PerSecond, Is.EqualTo(50), "new since the base sample");
    }

    [Test]
    public void Add_ReplayingAnHourAgo_CatchUpFractionSpeedAndTimeLeft()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5), fromCursor: true);
        var start = T0.AddHours(-1);
        calculator.Add(Sample(0, commits: 1, first: start, last: start));

        // In 10 s the stream covered 30 minutes of the hour: 180× real time.
        var s = calculator.Add(Sample(10, commits: 50_000, first: start, last: start.AddMinutes(30)));

        Assert.That(s.Lag, Is.EqualTo(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(10)));
        Assert.That(s.CatchUp, Is.Not.Null);
        Assert.That(s.CatchUp!.Fraction, Is.EqualTo(1800.0 / 3610).Within(1e-9));
        Assert.That(s.CatchUp.Speed, Is.EqualTo(180).Within(1e-9));
        Assert.That(s.CatchUp.Remaining!.Value.TotalSeconds, Is.EqualTo(1810.0 / 179).Within(1e-6));
    }

    [Test]
    public void Add_BehindButNotGaining_NoEstimate()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5), fromCursor: true);
        var start = T0.AddMinutes(-5);
        calculator.Add(Sample(0, first: start, last: start));

        var s = calculator.Add(Sample(2, commits: 10, first: start, last: start.AddSeconds(1)));

        Assert.That(s.CatchUp!.Speed, Is.EqualTo(0.5));
        Assert.That(s.CatchUp.Remaining, Is.Null);
    }

    [Test]
    public void Add_LiveStreamWithAQuietFilter_LagButNoCatchUp()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5));
        calculator.Add(Sample(0, commits: 1, first: T0.AddMinutes(-1), last: T0.AddMinutes(-1)));

        var s = calculator.Add(Sample(5, commits: 1, first: T0.AddMinutes(-1), last: T0.AddMinutes(-1)));

        Assert.That(s.Lag, Is.EqualTo(TimeSpan.FromSeconds(65)), "the last event was that long ago");
        Assert.That(s.CatchUp, Is.Null, "started live: nothing to catch up");
    }

    [Test]
    public void Add_CaughtUpOnce_NoCatchUpWhenItGoesQuietLater()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5), fromCursor: true);
        var start = T0.AddMinutes(-10);
        Assert.That(calculator.Add(Sample(0, commits: 1, first: start, last: start)).CatchUp, Is.Not.Null);
        Assert.That(calculator.Add(Sample(5, commits: 9_000, first: start, last: T0.AddSeconds(4))).CatchUp, Is.Null, "live");

        var s = calculator.Add(Sample(60, commits: 9_000, first: start, last: T0.AddSeconds(4)));

        Assert.That(s.Lag, Is.EqualTo(TimeSpan.FromSeconds(56)));
        Assert.That(s.CatchUp, Is.Null);
    }

    [Test]
    public void Add_NoEvents_NoLagAndZeroRates()
    {
        var calculator = new StatsCalculator(TimeSpan.FromSeconds(5));

        var s = calculator.Add(Sample(0));

        Assert.That(s.Lag, Is.Null);
        Assert.That(s.EventsPerSecond, Is.Zero);
        Assert.That(s.TopCollections, Is.Empty);
        Assert.That(s.CatchUp, Is.Null);
    }

    [Test]
    public void Sample_EventsAndMeasurements_CountedByKindCollectionAndInstrument()
    {
        using var collector = new StatsCollector();
        collector.OnEvent(Commit("app.bsky.feed.post", 10));
        collector.OnEvent(Commit("app.bsky.feed.post", 30));
        collector.OnEvent(new IdentityEvent("did:plc:q6gjnaw2blty4crticxkmujt", 20, 1, T0, null));
        collector.OnMeasurement("jetstream.client.events.dropped", 4);
        collector.OnMeasurement("jetstream.client.reconnects", 1);
        collector.OnMeasurement("jetstream.client.bytes.received", 1_000);
        collector.OnMeasurement("jetstream.client.bytes.received", 500);
        collector.OnMeasurement("jetstream.client.lag", 99);

        var sample = collector.Sample(T0);

        Assert.That(sample.EventsByKind, Is.EqualTo(new long[] { 2, 1, 0, 0 }));
        Assert.That(sample.CommitsByCollection, Is.EqualTo(new Dictionary<string, long> { ["app.bsky.feed.post"] = 2 }));
        Assert.That((sample.Dropped, sample.Reconnects, sample.BytesReceived), Is.EqualTo((4L, 1L, 1_500L)));
        Assert.That((sample.FirstEventTimeUs, sample.LastEventTimeUs), Is.EqualTo(((long?)10, (long?)30)));
    }

    [Test]
    public void Sample_AFreshCollectionInEveryEvent_CountedInBoundedEntries()
    {
        using var collector = new StatsCollector();
        for (var i = 0; i < StatsCollector.MaxCollections + 500; i++)
        {
            collector.OnEvent(Commit($"app.bsky.x{i}", i));
        }

        var sample = collector.Sample(T0);

        Assert.That(sample.CommitsByCollection, Has.Count.EqualTo(StatsCollector.MaxCollections + 1));
        Assert.That(sample.CommitsByCollection[StatsCollector.OtherCollections], Is.EqualTo(500));
    }

    [Test]
    public void Render_HostileCollectionName_Neutralised()
    {
        var snapshot = new StatsSnapshot
        {
            Elapsed = TimeSpan.FromSeconds(1),
            RateWindow = TimeSpan.FromSeconds(1),
            TotalEvents = 1,
            EventsPerSecond = 1,
            Kinds = [new(JetstreamEventKind.Commit, 1, 1)],
            TopCollections = [new("evil\u001b]52;c;ZXZpbA==\u0007", 1, 1, 1)],
            CollectionCount = 1,
            CatchUp = null,
        };
        var writer = new StringWriter();
        var console = new CliConsole(writer, TextWriter.Null).SpectreOut();

        console.Write(Dashboard.Render(snapshot, "ws://127.0.0.1:1 (v1)"));

        Assert.That(writer.ToString().Any(c => c is '\u001b' or '\u0007'), Is.False);
        Assert.That(writer.ToString().Contains("evil␛]52", StringComparison.Ordinal), Is.True);
    }

    [Test]
    public async Task Sample_RealStream_ReadsTheClientsOwnMeter(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents }, token);
        using var collector = new StatsCollector();
        var received = new TaskCompletionSource();
        var count = 0;
        using var subscription = JetstreamObservable.Connect(new JetstreamOptions { Endpoint = server.Uri, MeterFactory = collector.MeterFactory })
            .Subscribe(e =>
            {
                collector.OnEvent(e);
                if (Interlocked.Increment(ref count) == 100)
                {
                    received.TrySetResult();
                }
            });
        await received.Task.WaitAsync(token);

        var sample = collector.Sample(DateTimeOffset.UtcNow);

        Assert.That(sample.TotalEvents, Is.GreaterThanOrEqualTo(100));
        Assert.That(sample.BytesReceived, Is.GreaterThan(10_000), "jetstream.client.bytes.received from the scoped meter");
    }

    [Test]
    public void Render_Snapshot_ShowsTheNumbersAndTheCatchUpBar()
    {
        var snapshot = new StatsSnapshot
        {
            Elapsed = TimeSpan.FromSeconds(12),
            RateWindow = TimeSpan.FromSeconds(5),
            TotalEvents = 12_345,
            EventsPerSecond = 1_234.5,
            Kinds = [new(JetstreamEventKind.Commit, 12_000, 1_200), new(JetstreamEventKind.Identity, 345, 34.5)],
            TopCollections = [new("app.bsky.feed.like", 8_000, 800, 0.6667)],
            CollectionCount = 42,
            Lag = TimeSpan.FromMinutes(20),
            Dropped = 7,
            Reconnects = 2,
            BytesReceived = 5 * 1024 * 1024,
            BytesPerSecond = 512 * 1024,
            CatchUp = new CatchUp(0.5, 90, TimeSpan.FromSeconds(13.5)),
        };
        var writer = new StringWriter();
        var console = new CliConsole(writer, TextWriter.Null).SpectreOut();

        console.Write(Dashboard.Render(snapshot, "ws://127.0.0.1:1 (v1)"));

        var text = writer.ToString();
        Assert.That(text, Does.Contain("ws://127.0.0.1:1 (v1)").And.Contain("running 12.0 s"));
        Assert.That(text, Does.Contain("12,345").And.Contain("1,234.5").And.Contain("app.bsky.feed.like").And.Contain("67%").And.Contain("(42 seen)"));
        Assert.That(text, Does.Contain("lag 20 min 0 s · received 5.0 MB (512.0 KB/s) · dropped 7 · reconnects 2"));
        Assert.That(text, Does.Contain("catching up ███████████████░░░░░░░░░░░░░░░ 50% · 90× real time · live in ~13.5 s"));
        Assert.That(text, Does.Not.Contain("\u001b["), "no ANSI codes when not a terminal");
    }

    [Test]
    public async Task Stats_AgainstTheEmulator_PrintsTheDashboardWithTheTotalsExit0(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents }, token);

        // Stops on the count, not on the clock: one second of wall clock to connect and count every event flaked on a
        // loaded machine. The limit is the whole log, so reaching it means every event was counted; --duration only
        // bounds a run that never gets there.
        var total = server.NextSeq - 1;
        var result = await Cli.RunAsync(token, "stats", "-e", server.Uri.ToString(), "--limit", total.ToString(System.Globalization.CultureInfo.InvariantCulture), "--duration", "15s", "--interval", "10s");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.Output, Does.Contain("jetstream stats · " + server.Uri.ToString().TrimEnd('/') + " (v1)"));
        Assert.That(result.Output, Does.Match($@"│ all\s+│\s+{total}\s+│"), "every bundled event counted");
        Assert.That(result.Output, Does.Contain("app.bsky.feed.like"));
        Assert.That(result.Output, Does.Contain("dropped 0 · reconnects 0"));
    }

    [Test]
    public async Task Stats_Limit_StopsAfterThatManyEventsExit0(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.BundledRealEvents }, token);

        // --duration only bounds a broken --limit: the emulator holds 167 events, so without the limit the total is 167.
        var result = await Cli.RunAsync(token, "stats", "-e", server.Uri.ToString(), "--limit", "50", "--duration", "60s", "--interval", "120s");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.Error);
        Assert.That(result.Output, Does.Match(@"│ all\s+│\s+50\s+│"), "exactly the limit counted, then the final dashboard");
    }

    [Test]
    public async Task Stats_ServerRejects_Exit1WithTheReason(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Faults = new FaultPlan().Next(s => s.RejectUpgrade(403, "forbidden here")) }, token);

        var result = await Cli.RunAsync(token, "stats", "-e", server.Uri.ToString(), "--interval", "10s");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Failure));
        Assert.That(result.ErrorLines.Single(), Is.EqualTo("jetstream: the server rejected the request with HTTP 403: forbidden here"));
    }

    [Test]
    public async Task Demo_NoNetwork_EmulatorAndDashboardExit0(CancellationToken token)
    {
        // Runs until a dashboard shows a like (bounded by the class's CancelAfter), instead of a fixed 1.5 s window that a
        // loaded machine could spend starting up.
        await using var demo = Cli.Start("demo", "--rate", "400", "--interval", "100ms");
        while (!demo.Output.Text.Contains("app.bsky.feed.like", StringComparison.Ordinal) && !demo.Completion.IsCompleted)
        {
            await demo.WaitForLinesAsync(demo.Output.Lines.Length + 1, token);
        }

        var exit = await demo.StopAsync();

        Assert.That(exit, Is.EqualTo(ExitCodes.Success), demo.Error.Text);
        Assert.That(demo.Error.Lines.Single(), Does.StartWith("demo: a local Jetstream emulator at ws://127.0.0.1:"));
        Assert.That(demo.Output.Text, Does.Contain("jetstream stats · demo emulator ws://127.0.0.1:"));
        Assert.That(demo.Output.Text, Does.Contain("app.bsky.feed.like").And.Contain("identity"));
    }

    [Test]
    public async Task Demo_CtrlC_StopsCleanlyExit0(CancellationToken token)
    {
        await using var demo = Cli.Start("demo", "--interval", "100ms");

        await demo.WaitForLinesAsync(20, token);
        var exit = await demo.StopAsync();

        Assert.That(exit, Is.EqualTo(ExitCodes.Success), demo.Error.Text);
    }

    private static CommitEvent Commit(string collection, long timeUs) =>
        new("did:plc:q6gjnaw2blty4crticxkmujt", timeUs, new JetstreamCommit("3mmoojp7vgo2g", CommitOperation.Create, collection, "3mmoojp7etg2g", null, ReadOnlyMemory<byte>.Empty));
}
