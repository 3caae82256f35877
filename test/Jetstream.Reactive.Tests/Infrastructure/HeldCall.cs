namespace Jetstream.Reactive.Tests.Infrastructure;

/// <summary>
/// One call into a test double that does not finish until the test says so: it records the token it was given, and
/// either honours it (ends cancelled when the token is cancelled, as an HTTP client or a database driver does) or, when
/// told to ignore it, finishes only on <see cref="Release"/> (a store or source that answers after the caller gave up).
/// </summary>
internal sealed class HeldCall<T>
{
    private readonly TaskCompletionSource<T> _tcs = new();

    public HeldCall(bool honourCancellation, CancellationToken token)
    {
        Token = token;
        if (honourCancellation)
        {
            token.Register(() => _tcs.TrySetCanceled(token));
        }
    }

    public CancellationToken Token { get; }

    public Task<T> Task => _tcs.Task;

    public bool Finished => _tcs.Task.IsCompleted;

    public void Release(T value) => _tcs.TrySetResult(value);
}
