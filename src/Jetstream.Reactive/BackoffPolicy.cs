namespace Jetstream.Reactive;

/// <summary>
/// Capped exponential backoff with jitter, as a pure function (<see cref="GetDelay"/>) so that a schedule can be checked
/// with fixed random values. Used by <see cref="Linq.JetstreamOperators.RetryWithBackoff{T}"/> and by
/// <see cref="JetstreamObservable.Connect"/> between connection attempts.
/// </summary>
/// <remarks>
/// Retry <c>n</c> (0-based) waits <c>min(InitialDelay × Multiplier^n, MaxDelay) × (1 − Jitter × r)</c> with
/// <c>r</c> drawn from <see cref="Randomizer"/> in [0, 1): jitter only shortens a delay, so no delay exceeds
/// <see cref="MaxDelay"/>, and clients that lost one server together spread out instead of returning in step.
/// </remarks>
public sealed record BackoffPolicy
{
    /// <summary>The default policy: 250 ms doubling to at most 30 s, with 20 % jitter (the v2 Go client's range).</summary>
    public static BackoffPolicy Default { get; } = new();

    /// <summary>The delay before the first retry. Default 250 ms; allowed from 1 ms up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest delay. Default 30 s; allowed up to 1 day.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The factor between one delay and the next. Default 2; allowed from 1 to 100.</summary>
    public double Multiplier { get; init; } = 2.0;

    /// <summary>The largest fraction a delay is shortened by at random. Default 0.2; allowed from 0 to 1.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>
    /// Returns a number in [0, 1) for the jitter. Default <see langword="null"/>, meaning
    /// <see cref="Random.Shared"/>; tests pass a fixed sequence.
    /// </summary>
    public Func<double>? Randomizer { get; init; }

    /// <summary>The delay before retry <paramref name="attempt"/> (0 for the first retry), for a random value <paramref name="random"/>.</summary>
    /// <param name="attempt">How many retries came before this one since the last progress; 0 or more.</param>
    /// <param name="random">A value in [0, 1); values outside are clamped.</param>
    /// <returns>A delay between <c>(1 − Jitter) × base</c> and <c>base</c>, where base is capped at <see cref="MaxDelay"/>.</returns>
    public TimeSpan GetDelay(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        var max = MaxDelay.Ticks;

        // Math.Pow overflows to infinity for large attempts; the comparison with max caps it before any conversion.
        var raw = InitialDelay.Ticks * Math.Pow(Multiplier, attempt);
        var capped = double.IsNaN(raw) || raw >= max ? max : raw;
        var r = double.IsNaN(random) ? 0 : Math.Clamp(random, 0, 1);
        var jittered = capped * (1 - (Jitter * r));
        return TimeSpan.FromTicks(Math.Clamp((long)jittered, 0, max));
    }

    /// <summary>The next random value for <see cref="GetDelay"/>.</summary>
    internal double NextRandom() => Randomizer?.Invoke() ?? Random.Shared.NextDouble();

    /// <summary>The checks of this policy; <paramref name="path"/> is where the policy sits in <paramref name="owner"/> (empty when the policy is the value checked).</summary>
    internal IEnumerable<JetstreamOptionError> GetErrors(string owner, string path)
    {
        var prefix = path.Length == 0 ? string.Empty : path + ".";
        if (InitialDelay < TimeSpan.FromMilliseconds(1) || InitialDelay > MaxDelay)
        {
            yield return new(owner, prefix + nameof(InitialDelay), $"is {InitialDelay}; it must be at least 1 ms and at most {owner}.{prefix}MaxDelay ({MaxDelay}).");
        }

        if (MaxDelay > TimeSpan.FromDays(1))
        {
            yield return new(owner, prefix + nameof(MaxDelay), $"is {MaxDelay}; it must be at most 1 day.");
        }

        if (!(Multiplier >= 1 && Multiplier <= 100))
        {
            yield return new(owner, prefix + nameof(Multiplier), $"is {Multiplier}; it must be between 1 and 100.");
        }

        if (!(Jitter >= 0 && Jitter <= 1))
        {
            yield return new(owner, prefix + nameof(Jitter), $"is {Jitter}; it must be between 0 and 1.");
        }
    }
}
