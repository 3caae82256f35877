namespace Jetstream.Reactive.Linq;

/// <summary>One retry about to be scheduled by <see cref="JetstreamOperators.RetryWithBackoff{T}"/>.</summary>
/// <param name="Attempt">1 for the first retry since the last item, 2 for the next, and so on.</param>
/// <param name="Delay">How long the operator waits before resubscribing.</param>
/// <param name="Error">The error that caused the retry.</param>
public readonly record struct RetryAttempt(int Attempt, TimeSpan Delay, Exception Error);
