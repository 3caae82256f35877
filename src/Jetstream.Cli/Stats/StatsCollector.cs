using System.Diagnostics.Metrics;
using Jetstream.Reactive;

namespace Jetstream.Cli.Stats;

/// <summary>
/// Counts what one stream does: the events passed on (by kind and collection, with their times) and, through a
/// <see cref="MeterListener"/> on the stream's own meter (<see cref="MeterFactory"/>), the client's drops, reconnects,
/// bytes and skipped frames. <see cref="Sample"/> reads the running totals. Thread-safe.
/// </summary>
internal sealed class StatsCollector : IDisposable
{
    private readonly object _lock = new();
    private readonly long[] _byKind = new long[Enum.GetValues<JetstreamEventKind>().Length];
    /// <summary>The most collections counted by name; the rest are counted together as <see cref="OtherCollections"/>.</summary>
    public const int MaxCollections = 10_000;

    /// <summary>The entry that counts the collections past <see cref="MaxCollections"/>.</summary>
    public const string OtherCollections = "(other collections)";

    private readonly Dictionary<string, long> _byCollection = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private readonly ScopedMeterFactory _meters = new();
    private long? _firstTimeUs;
    private long? _lastTimeUs;
    private long _dropped;
    private long _reconnects;
    private long _failovers;
    private long _bytes;
    private long _malformed;
    private long _skipped;

    public StatsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _meters) && instrument.Meter.Name == JetstreamTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => OnMeasurement(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>The factory to pass as <see cref="JetstreamOptions.MeterFactory"/>, so that only this stream is counted.</summary>
    public IMeterFactory MeterFactory => _meters;

    /// <summary>Counts an event passed on to the dashboard.</summary>
    public void OnEvent(JetstreamEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        lock (_lock)
        {
            var kind = (int)e.Kind;
            if (kind >= 0 && kind < _byKind.Length)
            {
                _byKind[kind]++;
            }

            if (e is CommitEvent commit)
            {
                // A server can name a fresh collection in every event: past MaxCollections they share one entry.
                var collection = _byCollection.Count < MaxCollections || _byCollection.ContainsKey(commit.Commit.Collection)
                    ? commit.Commit.Collection
                    : OtherCollections;
                _byCollection[collection] = _byCollection.GetValueOrDefault(collection) + 1;
            }

            _firstTimeUs ??= e.TimeUs;
            _lastTimeUs = _lastTimeUs is { } last ? Math.Max(last, e.TimeUs) : e.TimeUs;
        }
    }

    /// <summary>Counts a measurement of the stream's meter (called by the listener; public for tests).</summary>
    public void OnMeasurement(string instrument, long value)
    {
        switch (instrument)
        {
            case "jetstream.client.events.dropped":
                Interlocked.Add(ref _dropped, value);
                break;
            case "jetstream.client.reconnects":
                Interlocked.Add(ref _reconnects, value);
                break;
            case "jetstream.client.failovers":
                Interlocked.Add(ref _failovers, value);
                break;
            case "jetstream.client.bytes.received":
                Interlocked.Add(ref _bytes, value);
                break;
            case "jetstream.client.frames.malformed":
                Interlocked.Add(ref _malformed, value);
                break;
            case "jetstream.client.events.skipped":
                Interlocked.Add(ref _skipped, value);
                break;
        }
    }

    /// <summary>The running totals now.</summary>
    public StatsSample Sample(DateTimeOffset at)
    {
        lock (_lock)
        {
            return new StatsSample
            {
                At = at,
                EventsByKind = _byKind.ToArray(),
                CommitsByCollection = new Dictionary<string, long>(_byCollection, StringComparer.Ordinal),
                Dropped = Interlocked.Read(ref _dropped),
                Reconnects = Interlocked.Read(ref _reconnects),
                Failovers = Interlocked.Read(ref _failovers),
                BytesReceived = Interlocked.Read(ref _bytes),
                MalformedFrames = Interlocked.Read(ref _malformed),
                Skipped = Interlocked.Read(ref _skipped),
                FirstEventTimeUs = _firstTimeUs,
                LastEventTimeUs = _lastTimeUs,
            };
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }

    /// <summary>Creates meters scoped to this collector, so the listener ignores every other stream in the process.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (_created)
            {
                _created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_created)
            {
                foreach (var meter in _created)
                {
                    meter.Dispose();
                }
            }
        }
    }
}
