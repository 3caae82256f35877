using Jetstream.Reactive.Linq;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>
/// <see cref="BackoffPolicy.GetDelay"/> with fixed random values, and the draws the retry operator actually makes. The
/// policies use binary-exact factors (jitter 0.5, random 0.5) so that the expected delays are exact, not approximate.
/// </summary>
[TestFixture]
public sealed class BackoffPolicyTests
{
    private static readonly long Ms = TimeSpan.TicksPerMillisecond;

    private static readonly BackoffPolicy Policy = new()
    {
        InitialDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(10),
        Multiplier = 2,
        Jitter = 0.5,
    };

    [Test]
    public void GetDelay_FirstAttempt_IsInitialDelayShortenedByJitterTimesRandom()
    {
        // InitialDelay × (1 − Jitter × r) = 100 ms × (1 − 0.5 × 0.5).
        Assert.That(Policy.GetDelay(0, 0.5), Is.EqualTo(TimeSpan.FromMilliseconds(75)));
    }

    [Test]
    public void GetDelay_DefaultPolicyFirstAttempt_IsAbout225Milliseconds()
    {
        // 250 ms × (1 − 0.2 × 0.5); 0.2 is not exact in binary, hence the one-tick tolerance.
        Assert.That(BackoffPolicy.Default.GetDelay(0, 0.5), Is.EqualTo(TimeSpan.FromMilliseconds(225)).Within(TimeSpan.FromTicks(1)));
    }

    [Test]
    public void GetDelay_SuccessiveAttempts_DoubleUntilCapped()
    {
        var delays = Enumerable.Range(0, 10).Select(n => Policy.GetDelay(n, 0)).ToArray();

        Assert.That(delays, Is.EqualTo(new[] { 100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000 }.Select(ms => TimeSpan.FromMilliseconds(ms))));
    }

    [Test]
    public void GetDelay_SuccessiveAttemptsWithRandom_ApplyJitterToTheCappedDelay()
    {
        var delays = Enumerable.Range(0, 9).Select(n => Policy.GetDelay(n, 0.5)).ToArray();

        Assert.That(delays, Is.EqualTo(new[] { 75, 150, 300, 600, 1200, 2400, 4800, 7500, 7500 }.Select(ms => TimeSpan.FromMilliseconds(ms))));
    }

    [TestCase(60)]
    [TestCase(1_000)]
    [TestCase(10_000)]
    [TestCase(int.MaxValue)]
    public void GetDelay_HugeAttempt_DoesNotOverflow(int attempt)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Policy.GetDelay(attempt, 0.5), Is.EqualTo(TimeSpan.FromMilliseconds(7_500)));
            Assert.That(Policy.GetDelay(attempt, 0), Is.EqualTo(TimeSpan.FromSeconds(10)));
        }
    }

    [Test]
    public void GetDelay_LargestMultiplierAndMaxDelay_DoesNotOverflow()
    {
        var policy = new BackoffPolicy { InitialDelay = TimeSpan.FromDays(1), MaxDelay = TimeSpan.FromDays(1), Multiplier = 100, Jitter = 0 };

        Assert.That(policy.GetDelay(int.MaxValue, 0.3), Is.EqualTo(TimeSpan.FromDays(1)));
    }

    [Test]
    public void GetDelay_RandomZero_IsTheFullDelay()
    {
        Assert.That(Policy.GetDelay(3, 0), Is.EqualTo(TimeSpan.FromMilliseconds(800)));
    }

    [Test]
    public void GetDelay_RandomJustBelowOne_IsOneMinusJitterOfTheDelay()
    {
        var delay = Policy.GetDelay(3, Math.BitDecrement(1.0));

        Assert.That(delay, Is.EqualTo(TimeSpan.FromMilliseconds(400)).Within(TimeSpan.FromTicks(1)));
    }

    [TestCase(1.0)]
    [TestCase(7.0)]
    [TestCase(double.PositiveInfinity)]
    public void GetDelay_RandomOneOrAbove_IsClampedToOne(double random)
    {
        Assert.That(Policy.GetDelay(3, random), Is.EqualTo(TimeSpan.FromMilliseconds(400)));
    }

    [TestCase(-0.5)]
    [TestCase(double.NegativeInfinity)]
    [TestCase(double.NaN)]
    public void GetDelay_RandomBelowZeroOrNaN_IsTheFullDelay(double random)
    {
        Assert.That(Policy.GetDelay(3, random), Is.EqualTo(TimeSpan.FromMilliseconds(800)));
    }

    [TestCase(0.0)]
    [TestCase(0.37)]
    [TestCase(0.999)]
    public void GetDelay_JitterZero_IsExact(double random)
    {
        var policy = Policy with { Jitter = 0 };

        Assert.That(policy.GetDelay(2, random), Is.EqualTo(TimeSpan.FromMilliseconds(400)));
    }

    [Test]
    public void GetDelay_JitterOneRandomJustBelowOne_IsNearZeroButNotNegative()
    {
        var policy = Policy with { Jitter = 1 };

        var delay = policy.GetDelay(0, Math.BitDecrement(1.0));

        Assert.That(delay, Is.GreaterThanOrEqualTo(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromTicks(1)));
    }

    [Test]
    public void GetDelay_MultiplierOne_IsConstant()
    {
        var policy = Policy with { Multiplier = 1, Jitter = 0 };

        var delays = Enumerable.Range(0, 5).Select(n => policy.GetDelay(n, 0.9)).Distinct();

        Assert.That(delays, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(100) }));
    }

    [Test]
    public void GetDelay_AnyAttemptAndRandom_StaysBetweenOneMinusJitterOfBaseAndMaxDelay()
    {
        var random = new Random(42);
        var failures = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var attempt = random.Next(0, 200);
            var r = random.NextDouble();
            var delay = BackoffPolicy.Default.GetDelay(attempt, r);
            var baseTicks = Math.Min(250 * TimeSpan.TicksPerMillisecond * Math.Pow(2, attempt), 30 * TimeSpan.TicksPerSecond);
            if (delay > BackoffPolicy.Default.MaxDelay || delay.Ticks < (long)(baseTicks * 0.8) - 1 || delay.Ticks > (long)baseTicks)
            {
                failures.Add($"attempt {attempt}, r {r}: {delay}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void GetDelay_NegativeAttempt_Throws()
    {
        Assert.That(() => Policy.GetDelay(-1, 0.5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("attempt"));
    }

    [Test]
    public void RetryWithBackoff_RandomizerSequence_EachRetryWaitsItsOwnJitteredDelay()
    {
        // One draw per retry, in order, fed into that retry's delay: 100 ms × (1 − 0.5 × 0), 200 ms × (1 − 0.5 × 0.5),
        // 400 ms × (1 − 0.5 × ~1). A policy that ignored the Randomizer, drew twice, or waited the unjittered delay
        // would show other subscription times.
        var scheduler = new TestScheduler();
        var draws = new Queue<double>([0.0, 0.5, Math.BitDecrement(1.0)]);
        var policy = Policy with { Randomizer = draws.Dequeue };
        var xs = scheduler.CreateColdObservable(OnError<int>(10, new JetstreamConnectionException("reset", null)));
        var retries = new List<RetryAttempt>();

        scheduler.Start(() => xs.RetryWithBackoff(policy, _ => true, scheduler, retries.Add), 100, 200, 200 + (700 * Ms) - 1);

        var waits = Waits(xs);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waits, Is.EqualTo(new[] { 100 * Ms, 150 * Ms, 200 * Ms }).Within(1));
            Assert.That(retries.Select(r => r.Delay.Ticks), Is.EqualTo(waits));
            Assert.That(draws, Is.Empty, "one draw per retry");
        }
    }

    [Test]
    public void RetryWithBackoff_NoRandomizer_SpreadsTheDelaysAcrossTheJitterRange()
    {
        // Without a Randomizer the jitter is real: over 200 retries of a constant 100 ms base with 50 % jitter, the
        // waits stay in [50 ms, 100 ms] and cover it (a draw in each fifth of [0, 1) fails to happen with probability
        // 200 × 0.8^200, about 1e-17). A policy that drew 0, or a narrow slice of [0, 1), would wait in step.
        var scheduler = new TestScheduler();
        var policy = Policy with { Multiplier = 1 };
        var xs = scheduler.CreateColdObservable(OnError<int>(10, new JetstreamConnectionException("reset", null)));

        scheduler.Start(() => xs.RetryWithBackoff(policy, _ => true, scheduler), 100, 200, 200 + (200 * 100 * Ms));

        var waits = Waits(xs).Take(200).ToArray();
        var fifths = waits.Select(w => (int)Math.Min(4, (100 * Ms - w) * 5 / (50 * Ms))).Distinct().Count();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(waits, Has.Length.EqualTo(200));
            Assert.That(waits, Is.All.InRange(50 * Ms, 100 * Ms));
            Assert.That(fifths, Is.EqualTo(5), "the waits cover each fifth of the jitter range");
        }
    }

    private static long[] Waits(ITestableObservable<int> xs)
    {
        // Each run fails 10 ticks after it starts; the wait is the time from that failure to the next start.
        var starts = xs.Subscriptions.Select(s => s.Subscribe).ToArray();
        return starts.Skip(1).Select((next, i) => next - (starts[i] + 10)).ToArray();
    }
}
