using System.Reactive;
using Jetstream.Reactive;

namespace Jetstream.Cli.Infrastructure;

/// <summary>
/// Runs a Jetstream subscription until the handler has had enough, a duration passes, the user presses Ctrl+C, or the
/// stream fails for good. The handler is called one event at a time; once <see cref="RunAsync"/> returns it is never
/// called again, so the caller can flush and save a cursor safely.
/// </summary>
internal static class StreamRunner
{
    /// <summary>Runs the stream.</summary>
    /// <param name="stream">The events.</param>
    /// <param name="onEvent">Handles one event; returns <see langword="false"/> to stop (a limit was reached).</param>
    /// <param name="duration">Stop after this long; <see langword="null"/> for no limit.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <param name="onStopping">Called once when the run stops, while no handler call runs and before any further one is skipped.</param>
    /// <param name="finalSave">
    /// With a durable cursor: how long to wait, after the stream stops, for its final save, and what to call when it is
    /// not done (with the save's error, or <see langword="null"/> when the wait timed out).
    /// </param>
    /// <returns>The error that ended the stream or the handler, or <see langword="null"/> for a normal stop.</returns>
    public static async Task<Exception?> RunAsync(IObservable<JetstreamEvent> stream, Func<JetstreamEvent, bool> onEvent, TimeSpan? duration, CancellationToken cancellationToken, Action? onStopping = null, (TimeSpan Timeout, Action<Exception?> NotSaved)? finalSave = null)
    {
        var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new object();
        var stopped = false;

        void OnNext(JetstreamEvent e)
        {
            lock (gate)
            {
                if (stopped)
                {
                    // Skipped, not handled: holding its acknowledgement keeps the durable cursor before it.
                    _ = JetstreamAck.Defer();
                    return;
                }

                try
                {
                    if (!onEvent(e))
                    {
                        Stop();
                        done.TrySetResult(null);
                    }
                }
#pragma warning disable CA1031 // The handler's failure (a full disk) ends the command with its message.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    Stop();
                    done.TrySetResult(error);
                }
            }
        }

        // Under the gate: events that arrive after this are skipped, and onStopping sees the last one handled.
        void Stop()
        {
            if (!stopped)
            {
                stopped = true;
                onStopping?.Invoke();
            }
        }

        using var registration = cancellationToken.Register(() => done.TrySetResult(null));
        using var timer = duration is { } d ? new Timer(_ => done.TrySetResult(null), null, d, Timeout.InfiniteTimeSpan) : null;
        var subscription = stream.Subscribe(Observer.Create<JetstreamEvent>(OnNext, error => done.TrySetResult(error), () => done.TrySetResult(null)));
        Exception? result;
        try
        {
            result = await done.Task.ConfigureAwait(false);
            lock (gate)
            {
                Stop();
            }
        }
        finally
        {
            if (finalSave is not { } save || subscription is not IAsyncDisposable stopping)
            {
                subscription.Dispose();
            }
            else
            {
                await StopAndSaveAsync(stopping, save.Timeout, save.NotSaved).ConfigureAwait(false);
            }
        }

        return result;
    }

    /// <summary>Stops the stream and waits (bounded) for the final save of its durable cursor.</summary>
    private static async Task StopAndSaveAsync(IAsyncDisposable subscription, TimeSpan timeout, Action<Exception?> notSaved)
    {
        try
        {
            await subscription.DisposeAsync().AsTask().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            notSaved(null);
        }
        catch (JetstreamCursorStoreException e)
        {
            notSaved(e.InnerException ?? e);
        }
    }

    /// <summary>The one line that explains why a stream ended for good.</summary>
    public static string Describe(Exception error) => error switch
    {
        JetstreamHandshakeException { Error: { } name } h =>
            $"the server rejected the request with HTTP {(int)h.StatusCode} {name}{(string.IsNullOrWhiteSpace(h.ErrorMessage) ? "" : ": " + OneLine(h.ErrorMessage))}",
        JetstreamHandshakeException h =>
            $"the server rejected the request with HTTP {(int)h.StatusCode}: {(string.IsNullOrWhiteSpace(h.Body) ? "(no reason given)" : OneLine(h.Body))}",
        JetstreamConnectionClosedException c when c.CloseStatus is { } status =>
            $"the server closed the connection with {(int)status}: {(string.IsNullOrWhiteSpace(c.CloseDescription) ? "(no reason given)" : OneLine(c.CloseDescription))}",
        _ => OneLine(error.Message),
    };

    private static string OneLine(string text)
    {
        // Server text (close reasons, handshake bodies, error messages) reaches the terminal: neutralised and capped.
        return JetstreamText.Printable(text.ReplaceLineEndings(" ").Trim(), 500);
    }
}
