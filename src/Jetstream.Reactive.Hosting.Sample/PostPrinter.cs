using Jetstream.Reactive.Records;

namespace Jetstream.Reactive.Hosting.Sample;

// begin-snippet: hosting-handler
/// <summary>Prints each new post. A new instance per event, resolved from that event's DI scope.</summary>
internal sealed class PostPrinter : IJetstreamHandler
{
    public async Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
    {
        if (jetstreamEvent is CommitEvent { Commit: { Operation: CommitOperation.Create } commit } post
            && BlueskyRecords.Deserialize(commit) is PostRecord record)
        {
            // A post's text is untrusted: terminal escapes and bidi overrides are shown, not obeyed.
            await Console.Out.WriteLineAsync($"{post.Did}: {JetstreamText.Printable(record.Text)}".AsMemory(), cancellationToken);
        }
    }
}
// end-snippet
