using Jetstream.Reactive.Testing.Internal;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>
/// The emulator's sealed archive: segments cut from the event log (or added from files), and the server's planner
/// (sealed tip, one-sided selection by kind/collection/DID, the density threshold, page caps and continuation).
/// </summary>
internal sealed class ArchiveStore
{
    private readonly object _lock = new();
    private readonly List<ArchiveSegment> _segments = [];
    private long _sealedThrough;

    public IReadOnlyList<ArchiveSegment> Segments
    {
        get
        {
            lock (_lock)
            {
                return [.. _segments];
            }
        }
    }

    public long SealedThrough
    {
        get
        {
            lock (_lock)
            {
                return _sealedThrough;
            }
        }
    }

    public ArchiveSegment? Find(long index)
    {
        lock (_lock)
        {
            return _segments.FirstOrDefault(s => s.Index == index);
        }
    }

    /// <summary>Seals every logged event after the last sealed one into one new segment; null when there is none.</summary>
    public ArchiveSegment? Seal(EventLog log, int eventsPerBlock, DateTimeOffset now, Action<Exception> onBadEvent)
    {
        lock (_lock)
        {
            var writer = new JssSegmentWriter(eventsPerBlock);
            var next = log.NextSeq;
            var from = Math.Max(_sealedThrough + 1, log.FloorSeq);
            for (var seq = from; seq < next; seq++)
            {
                if (!log.TryGet(seq, out var stored))
                {
                    continue;
                }

                try
                {
                    writer.Append(JssArchiveRows.FromEventJson(stored.V1, stored.Seq, stored.TimeUs));
                }
                catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    onBadEvent(e);
                }
            }

            if (writer.Count == 0)
            {
                return null;
            }

            var segment = ArchiveSegment.Load(_segments.Count == 0 ? 0 : _segments[^1].Index + 1, writer.Seal(), now);
            _segments.Add(segment);
            _sealedThrough = next - 1;
            return segment;
        }
    }

    public ArchiveSegment Add(byte[] file, DateTimeOffset now)
    {
        lock (_lock)
        {
            var segment = ArchiveSegment.Load(_segments.Count == 0 ? 0 : _segments[^1].Index + 1, file, now);
            _segments.Add(segment);
            _sealedThrough = Math.Max(_sealedThrough, (long)segment.Header.MaxSeq);
            return segment;
        }
    }

    public ArchivePlanPage Plan(ArchivePlanRequest request, int maxEntries, double wholeSegmentThreshold)
    {
        var segments = Segments;
        var tip = segments.Count == 0 ? 0 : segments.Max(s => (long)s.Header.MaxSeq);
        if (request.BeforeSeq is { } before)
        {
            tip = Math.Min(tip, before);
        }

        var planned = tip;
        var entries = new List<ArchivePlanEntry>();
        int examined = 0, blocksMatched = 0, entryCount = 0;
        var full = false;
        foreach (var segment in segments)
        {
            if (full)
            {
                break;
            }

            examined++;
            var h = segment.Header;
            if (segment.Blocks.Length == 0 || h.EventCount == 0 || (long)h.MaxSeq <= request.AfterSeq
                || (request.BeforeSeq is { } b && (long)h.MinSeq > b))
            {
                continue;
            }

            var selected = new List<int>();
            for (var i = 0; i < segment.Blocks.Length; i++)
            {
                var block = segment.Blocks[i];
                if (block.EventCount > 0 && (long)block.MaxSeq > request.AfterSeq
                    && !(request.BeforeSeq is { } bb && (long)block.MinSeq > bb)
                    && KindsAndCollectionsMatch(segment.BlockNames[i], request)
                    && (request.Dids.Count == 0 || segment.BlockDids[i].Overlaps(request.Dids)))
                {
                    selected.Add(i);
                }
            }

            if (selected.Count == 0)
            {
                continue;
            }

            if ((double)selected.Count / segment.Blocks.Length >= wholeSegmentThreshold)
            {
                if (maxEntries > 0 && entryCount >= maxEntries && entries.Count > 0)
                {
                    full = true;
                    break;
                }

                entries.Add(new ArchivePlanEntry(segment, true, []));
                entryCount++;
                blocksMatched += selected.Count;
                planned = Math.Min(tip, (long)h.MaxSeq);
                continue;
            }

            ArchivePlanEntry? entry = null;
            foreach (var range in Ranges(selected))
            {
                if (maxEntries > 0 && entryCount >= maxEntries && (entries.Count > 0 || entry is not null))
                {
                    full = true;
                    break;
                }

                if (entry is null)
                {
                    entry = new ArchivePlanEntry(segment, false, []);
                    entries.Add(entry);
                }

                entry.Ranges.Add(range);
                entryCount++;
                blocksMatched += range.Last - range.First + 1;
                planned = Math.Min(tip, (long)segment.Blocks[range.Last].MaxSeq);
            }
        }

        return new ArchivePlanPage(tip, full ? planned : tip, entries, examined, blocksMatched, entryCount);
    }

    private static bool KindsAndCollectionsMatch(HashSet<string> names, ArchivePlanRequest request)
    {
        if (request.Kinds.Count == 0 && !request.HasCollections)
        {
            return true;
        }

        foreach (var name in names)
        {
            var candidate = name switch
            {
                "$account" => request.Admits("account"),
                "$identity" => request.Admits("identity"),
                "$sync" => request.Admits("sync"),
                _ => request.Admits("commit") && (!request.HasCollections
                    || request.ExactCollections.Contains(name)
                    || request.CollectionPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))),
            };
            if (candidate)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<(int First, int Last)> Ranges(List<int> selected)
    {
        var first = selected[0];
        var last = first;
        foreach (var i in selected.Skip(1))
        {
            if (i == last + 1)
            {
                last = i;
                continue;
            }

            yield return (first, last);
            first = last = i;
        }

        yield return (first, last);
    }
}
