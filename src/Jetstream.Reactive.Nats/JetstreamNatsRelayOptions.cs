using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jetstream.Reactive.Nats;

/// <summary>Settings of a <see cref="JetstreamNatsRelay"/>. Validated when the relay is created.</summary>
public sealed record JetstreamNatsRelayOptions
{
    /// <summary>
    /// The Jetstream connection to read (endpoint, filters, backoff, …). It must use protocol v1. The relay overrides
    /// <see cref="JetstreamOptions.Cursor"/> from the stream's tail, sets <see cref="JetstreamOptions.RetainRawJson"/>
    /// and <see cref="JetstreamOptions.Overflow"/> = <see cref="JetstreamOverflow.ResumeFromCursor"/> (so a slow NATS
    /// stops the reader instead of losing events), and must not be given a <see cref="JetstreamOptions.CursorStore"/>:
    /// the stream is the cursor store.
    /// </summary>
    public JetstreamOptions Source { get; init; } = new();

    /// <summary>The stream written to.</summary>
    public JetstreamNatsStreamOptions Stream { get; init; } = new();

    /// <summary>Create the stream when it is missing. Default <see langword="true"/>; when <see langword="false"/> a missing stream stops the relay.</summary>
    public bool CreateStream { get; init; } = true;

    /// <summary>How many publishes may wait for their acknowledgement at once. Default 256; 1 to 65,536.</summary>
    public int MaxPendingPublishes { get; init; } = 256;

    /// <summary>Events held between the Jetstream reader and the publisher before the reader stops (and later resumes from its cursor). Default 10,000.</summary>
    public int BufferCapacity { get; init; } = 10_000;

    /// <summary>
    /// How many messages at the stream's tail are read at start: their ids are skipped when the source replays them, and
    /// the oldest of them from the same host sets the resume cursor. Must be at least twice
    /// <see cref="MaxPendingPublishes"/> (publishes in flight at a crash may land out of order). Default 1,024.
    /// </summary>
    public int ResumeScan { get; init; } = 1_024;

    /// <summary>
    /// When the stream's tail was written from another Jetstream host (a second relay, or a moved relay), the resume
    /// cursor is the oldest <c>time_us</c> of the tail minus this much, since hosts order events slightly differently.
    /// Default 10 s.
    /// </summary>
    public TimeSpan ForeignHostRewind { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Backoff between publish retries and stream checks while NATS is unreachable. Default <see cref="BackoffPolicy.Default"/>.</summary>
    public BackoffPolicy Backoff { get; init; } = BackoffPolicy.Default;

    /// <summary>Time allowed for one publish acknowledgement before it counts as failed and is retried. Default 5 s.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The scheduler of backoff waits. Default <see cref="DefaultScheduler.Instance"/>.</summary>
    public IScheduler Scheduler { get; init; } = DefaultScheduler.Instance;

    /// <summary>Logs (event ids 1600–1619). Default none.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Metrics on the <c>Jetstream.Reactive</c> meter (<c>jetstream.client.nats.*</c>). Default the process-wide meter.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>Checks every option and throws one exception that lists each problem.</summary>
    /// <exception cref="JetstreamOptionsException">At least one option is out of range.</exception>
    public void Validate()
    {
        var errors = GetErrors().ToList();
        if (errors.Count > 0)
        {
            throw new JetstreamOptionsException(errors);
        }
    }

    private IEnumerable<string> GetErrors()
    {
        if (Source is null)
        {
            yield return "JetstreamNatsRelayOptions.Source is null; it must be the Jetstream connection to read.";
        }
        else
        {
            if (Source.Protocol != JetstreamProtocol.V1)
            {
                yield return $"JetstreamNatsRelayOptions.Source.Protocol is {Source.Protocol}; the relay forwards v1 events as the server sent them, so it must be V1.";
            }

            if (Source.CursorStore is not null)
            {
                yield return "JetstreamNatsRelayOptions.Source.CursorStore is set; the relay resumes from the stream's last message, so it must be null.";
            }

            var inner = new List<string>();
            try
            {
                Source.Validate();
            }
            catch (JetstreamOptionsException e)
            {
                inner.AddRange(e.Errors);
            }

            foreach (var error in inner)
            {
                yield return "JetstreamNatsRelayOptions.Source: " + error;
            }
        }

        if (Stream is null)
        {
            yield return "JetstreamNatsRelayOptions.Stream is null.";
        }
        else
        {
            foreach (var error in Stream.GetErrors("JetstreamNatsRelayOptions.Stream."))
            {
                yield return error;
            }
        }

        if (MaxPendingPublishes is < 1 or > 65_536)
        {
            yield return $"JetstreamNatsRelayOptions.MaxPendingPublishes is {MaxPendingPublishes}; it must be from 1 to 65536.";
        }

        if (BufferCapacity < 1)
        {
            yield return $"JetstreamNatsRelayOptions.BufferCapacity is {BufferCapacity}; it must be at least 1.";
        }

        if (ResumeScan < 2 * MaxPendingPublishes || ResumeScan > 1_000_000)
        {
            yield return $"JetstreamNatsRelayOptions.ResumeScan is {ResumeScan}; it must be at least twice MaxPendingPublishes ({2 * MaxPendingPublishes}) and at most 1000000.";
        }

        if (ForeignHostRewind < TimeSpan.Zero)
        {
            yield return $"JetstreamNatsRelayOptions.ForeignHostRewind is {ForeignHostRewind}; it must not be negative.";
        }

        if (PublishTimeout <= TimeSpan.Zero)
        {
            yield return $"JetstreamNatsRelayOptions.PublishTimeout is {PublishTimeout}; it must be positive.";
        }

        if (Backoff is null)
        {
            yield return "JetstreamNatsRelayOptions.Backoff is null.";
        }

        if (Scheduler is null)
        {
            yield return "JetstreamNatsRelayOptions.Scheduler is null.";
        }

        if (LoggerFactory is null)
        {
            yield return "JetstreamNatsRelayOptions.LoggerFactory is null.";
        }
    }
}
