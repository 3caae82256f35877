using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>
/// The <see cref="ICursorStore"/> the hosted consumer gives the library. The library loads the saved cursor through it
/// before connecting (and so resumes with its own rules: protocol check, same-host replay floor, rewind on another host).
/// The library's saves are not written: it saves what it passed to the handlers' buffers, and the host saves instead what
/// every handler has finished (<see cref="SaveHandledAsync"/>), so a crash or a timed-out
/// shutdown makes the unhandled events come again instead of skipping them.
/// </summary>
internal sealed class CursorKeeper(ICursorStore inner, JetstreamOptions options, ILogger logger, HostingMetrics metrics) : ICursorStore
{
    /// <summary>The host of a cursor saved with several endpoints: not a host name, so it matches none of them.</summary>
    internal const string AnyHost = "*";

    private readonly Lock _gate = new();
    private Task _tail = Task.CompletedTask;
    private readonly string? _onlyHost = options.Endpoints.Count > 1 ? null : SingleEndpoint(options).Authority;
    private long _savedSeq;
    private bool _sealed;

    public ICursorStore Inner => inner;

    /// <summary>The cursor of the last save, for the log at shutdown.</summary>
    public JetstreamCursor? LastSaved { get; private set; }

    public ValueTask<JetstreamCursor?> LoadAsync(CancellationToken cancellationToken) => inner.LoadAsync(cancellationToken);

    /// <summary>The library's save is not written: it is the queued position, ahead of what the handlers finished.</summary>
    public ValueTask SaveAsync(JetstreamCursor cursor, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Saves the cursor of <paramref name="position"/> when it is past the last save. Saves run one after another in call
    /// order; after a <paramref name="final"/> save nothing more is written. Failures are logged and counted, and the next
    /// save tries again; the returned task never faults.
    /// </summary>
    public Task SaveHandledAsync(Tracked? position, bool final)
    {
        lock (_gate)
        {
            return _tail = SaveAfterAsync(_tail, position, final);
        }
    }

    private async Task SaveAfterAsync(Task previous, Tracked? position, bool final)
    {
        await previous.ConfigureAwait(false);
        if (_sealed)
        {
            return;
        }

        _sealed = final;
        // An implausible cursor is never saved (it would stick across restarts): the last trusted one before it is.
        if (position is not { } p || p.Seq <= _savedSeq || p.Saveable is not { } saveable)
        {
            return;
        }

        try
        {
            var cursor = CursorOf(saveable);
            await inner.SaveAsync(cursor, CancellationToken.None).ConfigureAwait(false);
            _savedSeq = p.Seq;
            LastSaved = cursor;
            metrics.CursorSaves.Add(1, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "success"));
            logger.CursorSaved(cursor.Value, cursor.IsSequence ? "seq" : "time_us", cursor.Host);
        }
#pragma warning disable CA1031 // A failed save is retried by the next one; the consumer goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            metrics.CursorSaves.Add(1, new KeyValuePair<string, object?>(HostingMetrics.OutcomeTag, "failure"));
            logger.CursorSaveFailed(e);
        }
    }

    /// <summary>
    /// With one host, the event's own cursor (a sequence number when the server sends one). With several, the host an
    /// earlier event came from is not known here, so the saved cursor is the event's <c>time_us</c>, which every host
    /// understands, under <see cref="AnyHost"/>: no configured host matches it, so a restart resumes
    /// <see cref="JetstreamOptions.FailoverRewind"/> earlier and never uses it as a replay floor. Naming a real host would
    /// let a restart on that host skip unhandled events stamped at or before the saved <c>time_us</c> (the same time_us,
    /// or another host's clock running ahead).
    /// </summary>
    private JetstreamCursor CursorOf(JetstreamEvent e) =>
        _onlyHost is { } host
            ? JetstreamCursor.Of(e, options.Protocol, host)
            : new JetstreamCursor(e.TimeUs, IsSequence: false, e.TimeUs, options.Protocol, AnyHost);

    private static Uri SingleEndpoint(JetstreamOptions options) =>
        options.Endpoints is { Count: > 0 } endpoints
            ? endpoints[0]
            : options.Protocol == JetstreamProtocol.V2 && options.Endpoint == JetstreamOptions.DefaultEndpoint ? JetstreamOptions.DefaultV2Endpoint : options.Endpoint;
}
