using System.Reactive.Disposables;
using System.Reactive.Linq;
using Jetstream.Reactive.Buffering;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Diagnostics;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Reconnect;
using Jetstream.Reactive.Resume;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.Connection;

/// <summary>
/// One subscription's logical connection, and only its wiring: it builds the <see cref="ConnectionParts"/> whose state
/// survives reconnects and composes the attempts, each given those parts, with the retry. Feedback edges are named
/// parts: the <see cref="OverflowGate"/> (buffer to reader) and the <see cref="ReconnectPolicy"/>'s decision (reader to
/// retry).
/// </summary>
internal sealed class JetstreamSession
{
    private int _attempts;

    public JetstreamSession(JetstreamOptions options, JetstreamMetrics metrics, ILogger logger, ZstdDictionaryCache dictionaries, int capacity, long byteLimit) =>
        Parts = new ConnectionParts(options, metrics, logger, dictionaries, capacity, byteLimit);

    /// <summary>What the attempts share.</summary>
    public ConnectionParts Parts { get; }

    /// <summary>The durable cursor's saves.</summary>
    public CursorSaver Saver => Parts.Saver;

    /// <summary>The buffer's depth, drops, and the overflow pause.</summary>
    public OverflowGate Overflow => Parts.Overflow;

    /// <summary>
    /// The connection events of this session, retried with backoff (no buffer). Subscribing also subscribes to
    /// <see cref="JetstreamOptions.FilterUpdates"/> — first, so that a source that emits at once shapes the first
    /// connection — and starts the cursor saves; disposing ends all three.
    /// </summary>
    public IObservable<JetstreamEvent> Connections()
    {
        var attempts = Observable.Create<JetstreamEvent>(observer =>
        {
            var attempt = new ConnectionAttempt(Parts, observer, ++_attempts);
            attempt.Start();
            return attempt;
        });
        var retried = new RetryWithBackoffObservable<JetstreamEvent>(attempts, Parts.Options.Backoff, Parts.Reconnect.Decide, Parts.Options.Scheduler, TelemetryGuard.Wrap<RetryAttempt, ReconnectDecision>(Parts.Reconnect.Retrying));
        return Observable.Create<JetstreamEvent>(observer =>
        {
            var filters = Parts.Filters.Follow();
            var saving = Parts.Saver.Start();
            var connections = retried.Subscribe(observer);

            // The connection goes first, then the final save of the cursor, then the filter source.
            return StableCompositeDisposable.Create(connections, saving, filters);
        });
    }
}
