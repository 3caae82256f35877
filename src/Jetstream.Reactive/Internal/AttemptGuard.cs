namespace Jetstream.Reactive.Internal;

/// <summary>
/// The connection attempt runs as a discarded task: whatever escapes it (a throwing log provider after the socket
/// closed, a throwing downstream) would end the attempt without a word, and the stream would go quiet with no retry
/// and no error. This reports such an escape as the attempt's error, so the retry decides, and the stream either goes
/// on or ends with <c>OnError</c>.
/// </summary>
internal static class AttemptGuard
{
    public static async Task RunAsync(Func<Task> attempt, IObserver<JetstreamEvent> observer, Func<bool> disposed)
    {
        try
        {
            await attempt().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // See the summary: the escape becomes the attempt's OnError.
        catch (Exception ex) when (!disposed())
#pragma warning restore CA1031
        {
            try
            {
                // A second OnError after one already delivered is ignored by Observable.Create's observer.
                observer.OnError(ex);
            }
#pragma warning disable CA1031 // The downstream's own OnError failed: there is nobody left to tell.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
#pragma warning disable CA1031 // Disposed: the subscriber has gone, nothing is owed.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
