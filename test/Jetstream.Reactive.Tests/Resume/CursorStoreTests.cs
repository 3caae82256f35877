using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests;

/// <summary>Durable cursors, lossless overflow, gap detection and dispose in any state, in virtual time.</summary>
public sealed class ReliabilityTests
{
    private const long T0 = 1_779_719_000_000_000;
    private Harness _h = null!;
    private MemoryCursorStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _store = new MemoryCursorStore(() => _h.Scheduler.Clock);
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void CursorStore_SavedCursorOnThisHost_ResumesFromItAndDoesNotDeliverThatEventAgain()
    {
        _store.Stored = new JetstreamCursor(T0 + 2, false, T0 + 2, JetstreamProtocol.V1, "127.0.0.1:6008");
        _h.Options = _h.Options with { CursorStore = _store, Cursor = 5 };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 2, "saved"));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 3, "next"));
        });
        _h.Scheduler.AdvanceTo(1_000);

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo((T0 + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), "the store wins over JetstreamOptions.Cursor");
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "next" }));
        Assert.That(_h.LogsWithId(1028), Has.Count.EqualTo(1));
    }

    [Test]
    public void CursorStore_SavedOnAnotherHost_ResumesByTimeMinusTheRewindWithoutSendingItsSeq()
    {
        _store.Stored = new JetstreamCursor(42, true, T0, JetstreamProtocol.V1, "jetstream.us-west.bsky.network");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        var expected = T0 - (long)_h.Options.FailoverRewind.TotalMicroseconds;
        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void CursorStore_SavedUnderNoConfiguredHost_RewindsAndSkipsNothingStampedAtTheSavedTime()
    {
        // What the hosting consumer saves with several Endpoints: an event at the saved time_us may not have been
        // handled, so it must come again rather than be taken for a replay.
        _store.Stored = new JetstreamCursor(T0, false, T0, JetstreamProtocol.V1, "*");
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0, "same-time"));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 1, "next"));
        });
        _h.Scheduler.AdvanceTo(1_000);

        var expected = T0 - (long)_h.Options.FailoverRewind.TotalMicroseconds;
        Assert.That(_h.Transport.Attempts[0].Cursor, Is.EqualTo(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(new[] { "same-time", "next" }));
    }

    [Test]
    public void CursorStore_SavedForTheOtherProtocol_IsNeverSentAndSaysSo()
    {
        _store.Stored = new JetstreamCursor(42, true, T0, JetstreamProtocol.V2, "127.0.0.1:6008");
        _h.Options = _h.Options with { CursorStore = _store };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(10);

        Assert.That(_h.Transport.Attempts[0].Cursor, Is.Null);
        Assert.That(_h.LogsWithId(1029).Single().Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
    }

    [Test]
    public void CursorStore_LoadFails_StreamEndsWithCursorStoreErrorBeforeConnecting()
    {
        _store.LoadError = new InvalidDataException("corrupt");
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(60));

        Assert.That(observer.Messages.Single().Value.Exception, Is.TypeOf<JetstreamCursorStoreException>().With.InnerException.Message.EqualTo("corrupt"));
        Assert.That(_h.Transport.Attempts, Is.Empty);
    }

    [Test]
    public void CursorStore_Delivered_SavedEveryIntervalWhenMovedAndOnDispose()
    {
        _h.Options = _h.Options with { CursorStore = _store, CursorSaveInterval = TimeSpan.FromSeconds(5) };
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 1)));
        _h.At(Seconds(2), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 2, seq: 77)));
        _h.At(Seconds(11), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 3, seq: 78)));
        _h.Scheduler.AdvanceTo(Seconds(12));
        sub.Dispose();

        // At 5 s the cursor had moved (save); at 10 s it had not (no save); dispose saves the last one.
        Assert.That(_store.Saves.Select(s => (s.Time, s.Cursor.Value, s.Cursor.IsSequence)), Is.EqualTo(new[]
        {
            (Seconds(5), 77L, true),
            (Seconds(12), 78L, true),
        }));
        Assert.That(_store.Saves[^1].Cursor, Is.EqualTo(new JetstreamCursor(78, true, T0 + 3, JetstreamProtocol.V1, "127.0.0.1:6008")));
    }

    [Test]
    public void CursorStore_DisposedFromInsideOnNext_SavesThatEventOnceOnNextReturns()
    {
        _h.Options = _h.Options with { CursorStore = _store };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = System.Reactive.Linq.Observable.Take(JetstreamObservable.Connect(_h.Options), 2).Subscribe(observer);
        _h.At(100, () =>
        {
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 1));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 2));
            _h.Transport.Socket(0).SendText(Events.Like(T0 + 3));
        });
        _h.Scheduler.AdvanceTo(1_000);

        // Take(2) completes and disposes inside the second OnNext: the final save has the first; once that OnNext
        // returns, the second is delivered and saved too. The third was never delivered.
        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void CursorStore_WithSubscribeAsync_SavesOnlyWhatTheHandlerFinished()
    {
        _h.Options = _h.Options with { CursorStore = _store, CursorSaveInterval = TimeSpan.FromSeconds(1) };
        var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync((e, ct) => VirtualDelay(Seconds(2), ct), _ => { });
        _h.At(Seconds(0.5), () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Handler: event 1 from 0.5 s to 2.5 s, event 2 to 4.5 s; the 1 s saves see only finished events.
        _h.Scheduler.AdvanceTo(Seconds(5));
        sub.Dispose();

        Assert.That(_store.Saves.Select(s => s.Cursor.Value), Is.EqualTo(new[] { T0 + 1, T0 + 2 }));
    }

    [Test]
    public void Overflow_ResumeFromCursor_PausesDrainsAndResumesWithNothingLost()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        using var dropped = _h.Meters.Collect<long>("jetstream.client.events.dropped");
        using var pauses = _h.Meters.Collect<long>("jetstream.client.overflow.pauses");
        using var resumes = _h.Meters.Collect<long>("jetstream.client.overflow.resumes");
        using var reconnects = _h.Meters.Collect<long>("jetstream.client.reconnects");
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);

        // Every connection gets, in one burst, all ten events from its cursor on (inclusive, like the servers).
        for (var served = 0; served < 6 && _h.Transport.Attempts.Count > served; served++)
        {
            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) - T0 : 1;
            _h.At(_h.Scheduler.Clock + 100, () =>
            {
                for (var i = from; i <= 10; i++)
                {
                    socket.SendText(Events.Like(T0 + i, $"e{i}"));
                }
            });
            _h.Scheduler.AdvanceBy(200);
        }

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(Enumerable.Range(1, 10).Select(i => $"e{i}")));
        Assert.That(dropped.GetMeasurementSnapshot().EvaluateAsCounter(), Is.Zero);

        // Bursts of 10, 7 and 4 (with the replayed one skipped) against a buffer of 4: two pauses, two resumes.
        Assert.That(pauses.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(resumes.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
        Assert.That(reconnects.GetMeasurementSnapshot().Select(m => m.Tags["jetstream.reason"]), Is.EqualTo(new[] { "overflow_pause", "overflow_pause" }), "a pause is not a failure");
        Assert.That(_h.Transport.Attempts.Select(a => a.Cursor), Is.EqualTo(new[] { null, (T0 + 4).ToString(System.Globalization.CultureInfo.InvariantCulture), (T0 + 8).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True, "the reader stopped and closed the connection");
        Assert.That(_h.LogsWithId(1031), Has.Count.EqualTo(2));
    }

    [Test]
    public void CursorStore_FailedSave_IsTriedAgainAtTheNextInterval()
    {
        var failures = 1;
        var store = new FlakyStore(() => failures-- > 0);
        _h.Options = _h.Options with { CursorStore = store, CursorSaveInterval = TimeSpan.FromSeconds(5) };
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(Seconds(1), () => _h.Transport.Socket(0).SendText(Events.Like(T0 + 1)));
        _h.Scheduler.AdvanceTo(Seconds(11));
        sub.Dispose();

        Assert.That(store.Attempts, Is.EqualTo(2), "failed at 5 s, saved at 10 s");
        Assert.That(store.Stored?.Value, Is.EqualTo(T0 + 1));
        Assert.That(_h.LogsWithId(1030), Has.Count.EqualTo(1));
    }

    [Test]
    public void Overflow_ResumeFromCursorWithSeveralEndpoints_LosesNothing()
    {
        _h.Options = _h.Options with
        {
            BufferCapacity = 4,
            Overflow = JetstreamOverflow.ResumeFromCursor,
            Endpoint = JetstreamOptions.DefaultEndpoint,
            Endpoints = [new Uri("ws://127.0.0.1:6008"), new Uri("ws://127.0.0.2:6008")],
        };
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        for (var served = 0; served < 6 && _h.Transport.Attempts.Count > served; served++)
        {
            var socket = _h.Transport.Socket(served);
            var from = _h.Transport.Attempts[served].Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) - T0 : 1;
            _h.At(_h.Scheduler.Clock + 100, () =>
            {
                for (var i = from; i <= 10; i++)
                {
                    socket.SendText(Events.Like(T0 + i, $"e{i}"));
                }
            });
            _h.Scheduler.AdvanceBy(200);
        }

        Assert.That(observer.Messages.Select(m => ((CommitEvent)m.Value.Value).Commit.RKey), Is.EqualTo(Enumerable.Range(1, 10).Select(i => $"e{i}")));
    }

    [Test]
    public void Overflow_ResumeFromCursorWithSlowHandler_WaitsForTheDrainBeforeReconnecting()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        var handled = new List<long>();
        using var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync(
            async (e, ct) =>
            {
                await VirtualDelay(Seconds(1), ct);
                handled.Add(e.TimeUs);
            },
            _ => { });
        _h.At(100, () =>
        {
            for (var i = 1; i <= 6; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Four queued, the fifth pauses. The first call takes event 1 (three left); when it ends, 1 s later, the second
        // is taken and half the buffer (two) is left: only then does the stream reconnect.
        _h.Scheduler.AdvanceTo(Seconds(1));
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1), "no reconnect while the subscriber is behind");
        _h.Scheduler.AdvanceTo(Seconds(1) + 200);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
        Assert.That(_h.Transport.Attempts[1].Cursor, Is.EqualTo((T0 + 4).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _h.At(Seconds(3), () =>
        {
            for (var i = 4; i <= 6; i++)
            {
                _h.Transport.Socket(1).SendText(Events.Like(T0 + i));
            }
        });
        _h.Scheduler.AdvanceTo(Seconds(20));

        Assert.That(handled, Is.EqualTo(Enumerable.Range(1, 6).Select(i => T0 + i)));
    }

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

    [Test]
    public void Dispose_WhileConnecting_CancelsTheConnectAndNeverRetries()
    {
        _h.Transport.ThenHang();
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(100);
        sub.Dispose();
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(600));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Dispose_WhileEventsWaitInTheBuffer_DeliversNoneOfThem()
    {
        var delivered = 0;
        var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => delivered++);
        _h.At(100, () =>
        {
            for (var i = 0; i < 5; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }

            // Disposed in the same tick, before the drain scheduled for tick 101.
            sub.Dispose();
        });
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(delivered, Is.Zero);
        Assert.That(_h.Transport.Socket(0).IsDisposed, Is.True);
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
    }

    [Test]
    public void Dispose_WhileWaitingForTheDrainAfterAPause_NeverReconnects()
    {
        _h.Options = _h.Options with { BufferCapacity = 4, Overflow = JetstreamOverflow.ResumeFromCursor };
        var sub = JetstreamObservable.Connect(_h.Options).SubscribeAsync((e, ct) => VirtualDelay(Seconds(100), ct), _ => { });
        _h.At(100, () =>
        {
            for (var i = 0; i < 6; i++)
            {
                _h.Transport.Socket(0).SendText(Events.Like(T0 + i));
            }
        });

        // Four queued, the fifth pauses; the handler takes 100 s per event, so the buffer stays above half.
        _h.Scheduler.AdvanceTo(Seconds(1));
        sub.Dispose();
        _h.Scheduler.AdvanceTo(Seconds(1_000));

        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(1));
        Assert.That(sub.Completion.IsCompleted, Is.True);
    }

    [Test]
    public void Options_ReliabilitySettingsOutOfRange_NameTheOptionTheValueAndTheRange()
    {
        var options = _h.Options with
        {
            CursorSaveInterval = TimeSpan.FromMilliseconds(10),
            Overflow = (JetstreamOverflow)7,
            GapThreshold = TimeSpan.Zero,
        };

        var error = Assert.Throws<JetstreamOptionsException>(() => JetstreamObservable.Connect(options))!;

        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.CursorSaveInterval is 00:00:00.0100000; it must be between 100 ms and 1 hour"));
        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.Overflow is 7; it must be DropIncoming or ResumeFromCursor"));
        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.GapThreshold is 00:00:00; it must be between 1 s and 30 days"));
    }

    private sealed class FlakyStore(Func<bool> fail) : ICursorStore
    {
        public int Attempts { get; private set; }

        public JetstreamCursor? Stored { get; private set; }

        public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<JetstreamCursor?>(null);

        public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken)
        {
            Attempts++;
            if (fail())
            {
                return ValueTask.FromException(new IOException("disk full"));
            }

            Stored = cursor;
            return ValueTask.CompletedTask;
        }
    }

    private Task VirtualDelay(long ticks, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource();
        var timer = _h.Scheduler.Schedule(tcs, TimeSpan.FromTicks(ticks), static (_, t) =>
        {
            t.TrySetResult();
            return Disposable.Empty;
        });
        ct.Register(() =>
        {
            timer.Dispose();
            tcs.TrySetCanceled(ct);
        });
        return tcs.Task;
    }
}
