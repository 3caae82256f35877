using System.Diagnostics.Metrics;
using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using System.Text.Json.Serialization;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Records;
using Microsoft.Extensions.Logging;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>docs/records.md.</summary>
internal static class Records
{
    public static void NewPosts()
    {
        // begin-snippet: records-quick-start
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = [PostRecord.Collection] })
            .Records<PostRecord>()
            .Subscribe(
                post => Console.WriteLine($"{post.Did}: {JetstreamText.Printable(post.Record.Text)}"),  // post text is untrusted: never print it raw
                error => Console.Error.WriteLine($"Stream ended: {error.Message}"));
        // end-snippet
    }

    public static void Filters(IObservable<JetstreamEvent> events)
    {
        // begin-snippet: records-filters
        var graphChanges = events.OfCollection("app.bsky.graph.*");          // follows, blocks, lists, …
        var unfollows = events.OfCollection(FollowRecord.Collection).Deletes();
        var handles = events.Identities().Select(e => (e.Did, e.Handle));
        var goneAccounts = events.Accounts().Where(e => !e.Active);
        var profileEdits = events.Records<ProfileRecord>().Where(p => p.Operation == CommitOperation.Update);
        // end-snippet
        _ = (graphChanges, unfollows, handles, goneAccounts, profileEdits);
    }

    public static IDisposable ReportErrors(IObservable<JetstreamEvent> events, ILogger logger, IMeterFactory meterFactory)
    {
        // begin-snippet: records-errors
        var invalid = new Subject<RecordError>();
        var posts = events.Records<PostRecord>(new RecordOptions
        {
            OnError = invalid.OnNext,       // each skipped record, as a stream of its own
            Logger = logger,                // event 1050 at Debug, with the start of the record's JSON
            MeterFactory = meterFactory,    // jetstream.client.records.invalid
        });

        var reports = invalid
            .Buffer(TimeSpan.FromMinutes(1))
            .Where(batch => batch.Count > 0)
            .Subscribe(batch => logger.LogWarning("{Count} posts did not parse, first: {Error}", batch.Count, batch[0].Exception.Message));
        // end-snippet
        return new CompositeDisposable(reports, posts.Subscribe());
    }

    // begin-snippet: records-reply-handler
    public static IDisposable NotifyReplies(IObservable<JetstreamEvent> events, string myDid) =>
        events.Records<PostRecord>()
            .Where(p => p.Record.Reply is { } reply && reply.Root.Uri.Authority == myDid && p.Did != myDid)
            .Subscribe(p => Console.WriteLine($"{p.Did} replied in your thread {p.Record.Reply!.Root.Uri}: {JetstreamText.Printable(p.Record.Text)}"));
    // end-snippet

    // begin-snippet: records-hashtags
    public static IObservable<IReadOnlyList<KeyValuePair<string, int>>> TrendingHashtags(IObservable<JetstreamEvent> events, IScheduler scheduler) =>
        events.Records<PostRecord>()
            .SelectMany(post => Hashtags(post.Record))
            .Buffer(TimeSpan.FromMinutes(1), scheduler)
            .Select(tags => (IReadOnlyList<KeyValuePair<string, int>>)tags
                .CountBy(tag => tag)
                .OrderByDescending(pair => pair.Value)
                .Take(10)
                .ToList());

    // A post's tags: the #hashtag facets in its text plus the extra tags it carries outside the text, once each.
    public static IEnumerable<string> Hashtags(PostRecord post) =>
        (post.Facets ?? [])
            .SelectMany(facet => facet.Features.OfType<TagFeature>().Select(feature => feature.Tag))
            .Concat(post.Tags ?? [])
            .Select(tag => tag.ToLowerInvariant())
            .Distinct();
    // end-snippet

    public static void FacetText(PostRecord post)
    {
        // begin-snippet: records-facet-text
        foreach (var facet in post.Facets ?? [])
        {
            // Byte offsets into the UTF-8 text: never post.Text[start..end].
            var text = JetstreamText.Printable(facet.GetText(post.Text) ?? "(offsets do not fit the text)");
            foreach (var feature in facet.Features)
            {
                Console.WriteLine(feature switch
                {
                    MentionFeature mention => $"mention {text} -> {mention.Did}",
                    LinkFeature link => $"link {text} -> {link.Uri}",
                    TagFeature tag => $"hashtag {JetstreamText.Printable(tag.Tag)}",
                    _ => $"{feature.Type} over {text}",   // UnknownFacetFeature keeps the raw JSON
                });
            }
        }
        // end-snippet
    }

    public static void Embeds(PostRecord post)
    {
        // begin-snippet: records-embeds
        var media = post.Embed switch
        {
            ImagesEmbed images => $"{images.Images.Count} images, alt: {JetstreamText.Printable(string.Join(" / ", images.Images.Select(i => i.Alt)))}",
            VideoEmbed video => $"video {video.Video.Ref} ({video.Video.Size} bytes)",
            ExternalEmbed card => $"link card {card.External.Uri}",
            RecordEmbed quote => $"quotes {quote.Record.Uri}",
            RecordWithMediaEmbed both => $"quotes {both.Record.Record.Uri} with {both.Media.Type}",
            UnknownEmbed other => $"{other.Type}: {other.Json.GetRawText()}",
            _ => "text only",
        };
        // end-snippet
        Console.WriteLine(media);
    }

    public static IDisposable KeepFollowGraph(IObservable<JetstreamEvent> events, FollowGraph graph)
    {
        // begin-snippet: records-follow-graph-wiring
        // One connection for the three handlers; events stay in order because they come from one source.
        return events
            .Publish(shared => Observable.Merge(
                shared.Records<FollowRecord>().Do(f => graph.Follow(f.Did, f.RKey, f.Record.Subject)).Select(_ => Unit.Default),
                shared.OfCollection(FollowRecord.Collection).Deletes().Do(d => graph.Unfollow(d.Did, d.Commit.RKey)).Select(_ => Unit.Default),
                shared.Accounts().Where(a => a.Status == "deleted").Do(a => graph.Forget(a.Did)).Select(_ => Unit.Default)))
            .Subscribe(_ => { }, error => Console.Error.WriteLine($"Stream ended: {error.Message}"));
        // end-snippet
    }

    public static IDisposable ReadOtherLexicon(IObservable<JetstreamEvent> events)
    {
        // begin-snippet: records-own-type
        return events
            .Records("fm.teal.alpha.actor.status", TealJsonContext.Default.NowPlaying)
            .Subscribe(s => Console.WriteLine($"{s.Did} is listening to {s.Record.Item?.TrackName}"));
        // end-snippet
    }

    private sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}

// begin-snippet: records-follow-graph
/// <summary>Who follows whom. A delete carries no record, so each follow is kept by its record key.</summary>
public sealed class FollowGraph
{
    private readonly Dictionary<(string Did, string RKey), string> _follows = [];
    private readonly Dictionary<string, HashSet<string>> _followers = [];

    public void Follow(string did, string rkey, string subject)
    {
        _follows[(did, rkey)] = subject;
        if (!_followers.TryGetValue(subject, out var followers))
        {
            _followers[subject] = followers = [];
        }

        followers.Add(did);
    }

    public void Unfollow(string did, string rkey)
    {
        if (_follows.Remove((did, rkey), out var subject))
        {
            _followers[subject].Remove(did);
        }
    }

    public void Forget(string did)
    {
        foreach (var key in _follows.Keys.Where(k => k.Did == did).ToList())
        {
            Unfollow(key.Did, key.RKey);
        }

        _followers.Remove(did);
    }

    public int FollowerCount(string did) => _followers.TryGetValue(did, out var followers) ? followers.Count : 0;
}
// end-snippet

// begin-snippet: records-reply-tree
/// <summary>Replies by parent post, so a thread can be walked from its root. Deleted posts leave their replies in place.</summary>
public sealed class ReplyTree
{
    private readonly Dictionary<AtUri, List<AtUri>> _children = [];

    public IDisposable Attach(IObservable<JetstreamEvent> events) =>
        events.Records<PostRecord>()
            .Where(p => p.Operation == CommitOperation.Create && p.Record.Reply is not null)
            .Subscribe(p => Add(p.Record.Reply!.Parent.Uri, p.Uri));

    public void Add(AtUri parent, AtUri reply)
    {
        if (!_children.TryGetValue(parent, out var replies))
        {
            _children[parent] = replies = [];
        }

        replies.Add(reply);
    }

    /// <summary>Every reply below <paramref name="post"/>, depth first, with its depth (1 for a direct reply).</summary>
    public IEnumerable<(AtUri Reply, int Depth)> Walk(AtUri post)
    {
        // Authors pick their own record keys, so a crafted post can name itself or a later post as its parent.
        var seen = new HashSet<AtUri> { post };
        var stack = new Stack<(AtUri, int)>([(post, 0)]);
        while (stack.TryPop(out var node))
        {
            foreach (var reply in Enumerable.Reverse(_children.GetValueOrDefault(node.Item1) ?? []))
            {
                if (seen.Add(reply))
                {
                    stack.Push((reply, node.Item2 + 1));
                }
            }

            if (node.Item2 > 0)
            {
                yield return node;
            }
        }
    }
}
// end-snippet

// begin-snippet: records-own-type-definition
public sealed record NowPlaying(DateTimeOffset Time, NowPlayingItem? Item);

public sealed record NowPlayingItem(string TrackName, string? ReleaseName);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NowPlaying))]
public sealed partial class TealJsonContext : JsonSerializerContext;
// end-snippet
