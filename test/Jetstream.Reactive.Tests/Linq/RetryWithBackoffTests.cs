using Jetstream.Reactive.Linq;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Linq;

public sealed class RetryWithBackoffTests
{
    private static readonly long Ms = TimeSpan.TicksPerMillisecond;

    private static readonly BackoffPolicy Policy = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(4),
        Multiplier = 2,
        Jitter = 0,
    };

    private static readonly Exception Retryable = new JetstreamConnectionException("reset", null);

    [Test]
    public void RetryWithBackoff_RepeatedFailures_ResubscribesAfterGrowingCappedDelays()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(10, Retryable));
        var retries = new List<RetryAttempt>();

        scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => true, scheduler, retries.Add), 100, 200, 200 + (12 * Ms));

        // Each run fails 10 ticks in; the waits are 1, 2, 4, 4 ms.
        var starts = new[] { 200, 210 + Ms, 220 + (3 * Ms), 230 + (7 * Ms), 240 + (11 * Ms) };
        Assert.That(xs.Subscriptions.Select(s => s.Subscribe), Is.EqualTo(starts));
        Assert.That(retries.Select(r => (r.Attempt, r.Delay.Ticks)), Is.EqualTo(new[] { (1, Ms), (2, 2 * Ms), (3, 4 * Ms), (4, 4 * Ms), (5, 4 * Ms) }));
        Assert.That(retries, Has.All.Property(nameof(RetryAttempt.Error)).SameAs(Retryable));
    }

    [Test]
    public void RetryWithBackoff_ItemBeforeEachFailure_ResetsToInitialDelay()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>(10, Retryable));
        var retries = new List<RetryAttempt>();

        var results = scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => true, scheduler, retries.Add), 100, 200, 200 + (3 * Ms));

        Assert.That(retries.Select(r => r.Attempt), Has.All.EqualTo(1));
        Assert.That(retries.Select(r => r.Delay.Ticks), Has.All.EqualTo(Ms));
        Assert.That(results.Messages.Select(m => m.Time), Is.EqualTo(new[] { 205, 215 + Ms, 225 + (2 * Ms) }));
    }

    [Test]
    public void RetryWithBackoff_ErrorRejectedByPredicate_PassesThrough()
    {
        var scheduler = new TestScheduler();
        var fatal = new InvalidOperationException("fatal");
        var xs = scheduler.CreateColdObservable(OnNext(5, 1), OnError<int>(10, fatal));

        var results = scheduler.Start(() => xs.RetryWithBackoff(Policy, e => e is JetstreamException, scheduler));

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(205, 1), OnError<int>(210, fatal) }));
        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 210) }));
    }

    [Test]
    public void RetryWithBackoff_PredicateThrows_EndsWithBothErrors()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(10, Retryable));

        var results = scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => throw new FormatException("bad predicate"), scheduler));

        var error = results.Messages.Single().Value.Exception as AggregateException;
        Assert.That(error, Is.Not.Null);
        Assert.That(error!.InnerExceptions.Select(e => e.GetType()), Is.EqualTo(new[] { typeof(JetstreamConnectionException), typeof(FormatException) }));
    }

    [Test]
    public void RetryWithBackoff_SourceCompletes_Completes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(5, 1), OnCompleted<int>(10));

        var results = scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => true, scheduler));

        Assert.That(results.Messages, Is.EqualTo(new[] { OnNext(205, 1), OnCompleted<int>(210) }));
    }

    [Test]
    public void RetryWithBackoff_DisposedWhileWaiting_NeverResubscribes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(10, Retryable));

        scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => true, scheduler), 100, 200, 500);
        scheduler.AdvanceBy(100 * Ms);

        Assert.That(xs.Subscriptions, Is.EqualTo(new[] { Subscribe(200, 210) }));
    }

    [Test]
    public void RetryWithBackoff_InvalidPolicy_ThrowsNamingTheSetting()
    {
        var xs = new TestScheduler().CreateColdObservable<int>();
        var bad = Policy with { Jitter = 2 };

        Assert.That(() => xs.RetryWithBackoff(bad, _ => true, new TestScheduler()), Throws.ArgumentException.With.Message.Contains("policy.Jitter is 2"));
    }
}
