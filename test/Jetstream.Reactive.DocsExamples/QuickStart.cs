using System.Reactive.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>The README quick start and docs/getting-started.md.</summary>
internal static class QuickStart
{
    public static void NewPosts()
    {
        // begin-snippet: quick-start
        using var subscription = JetstreamObservable
            .Connect(new JetstreamOptions { WantedCollections = ["app.bsky.feed.post"] })
            .OfType<CommitEvent>()
            .Where(e => e.Commit.Operation == CommitOperation.Create)
            .Subscribe(
                e => Console.WriteLine($"{e.Did} posted {e.Commit.RKey}"),
                error => Console.Error.WriteLine($"Stream ended: {error.Message}"));

        Console.ReadLine(); // events arrive on the thread pool until the subscription is disposed
        // end-snippet
    }

    // begin-snippet: event-kinds
    public static void Handle(JetstreamEvent e)
    {
        switch (e)
        {
            case CommitEvent { Commit.Operation: CommitOperation.Delete } delete:
                Console.WriteLine($"deleted at://{delete.Did}/{delete.Commit.Collection}/{delete.Commit.RKey}");
                break;
            case CommitEvent commit:
                Console.WriteLine($"{commit.Commit.Operation} {commit.Commit.Collection} {commit.Commit.Cid}");
                break;
            case IdentityEvent identity:
                Console.WriteLine($"{identity.Did} is now {(identity.Handle is { } handle ? JetstreamText.Printable(handle) : "(handle not sent)")}");
                break;
            case AccountEvent { Active: false } account:
                Console.WriteLine($"{account.Did} is {account.Status}: purge its data");
                break;
        }
    }
    // end-snippet

    // begin-snippet: read-record
    public static string? PostText(CommitEvent e) =>
        e.Commit.Record is { } record
            && record.TryGetProperty("text", out var text)
            && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    public static Post? TypedPost(CommitEvent e) =>
        e.Commit.Collection == "app.bsky.feed.post" ? e.Commit.Deserialize(PostJsonContext.Default.Post) : null;
    // end-snippet
}

// begin-snippet: typed-record
public sealed record Post(string Text, DateTimeOffset CreatedAt, IReadOnlyList<string>? Langs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Post))]
public sealed partial class PostJsonContext : JsonSerializerContext;
// end-snippet
