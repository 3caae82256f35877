using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Resume;

/// <summary>Gaps between the requested cursor and the first event are reported to the observer, the log and the metric, and small ones are not.</summary>
public sealed class GapReportTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Gaps_TimestampCursorFarBehindFirstEvent_ReportedToObserverLogAndMetric()
    {
        var gaps = new List<JetstreamGap>();
        using var subject = new Subject<JetstreamGap>();
        using var gapSubscription = subject.Subscribe(gaps.Add);
        using var counter = _h.Meters.Collect<long>("jetstream.client.gaps");
        _h.Options = _h.Options with { Cursor = T0, Gaps = subject };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        var tenMinutes = (long)TimeSpan.FromMinutes(10).TotalMicroseconds;
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(T0 + tenMinutes)));
        _h.Scheduler.AdvanceTo(1_000);

        var gap = gaps.Single();
        Assert.That(gap.RequestedCursor, Is.EqualTo(T0));
        Assert.That(gap.Duration, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(counter.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
        Assert.That(_h.LogsWithId(1033), Has.Count.EqualTo(1));
    }

    [Test]
    public void Gaps_FirstEventWithinThreshold_NotReported()
    {
        var gaps = new List<JetstreamGap>();
        _h.Options = _h.Options with { Cursor = T0, Gaps = System.Reactive.Observer.Create<JetstreamGap>(gaps.Add) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(T0 + (long)TimeSpan.FromMinutes(4).TotalMicroseconds)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(gaps, Is.Empty);
    }

    [Test]
    public void Gaps_SeqCursorOnUnfilteredStreamSkipsSequences_ReportsHowMany()
    {
        var gaps = new List<JetstreamGap>();
        _h.Options = _h.Options with { Cursor = 42, Gaps = System.Reactive.Observer.Create<JetstreamGap>(gaps.Add) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(Events.Like(T0, seq: 100)));
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(gaps.Single().MissingSequences, Is.EqualTo(57));
    }
}
