using System.Net.WebSockets;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using System.Text;
using System.Text.Json;
using Jetstream.Reactive.IntegrationTests.RawServer;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;

namespace Jetstream.Reactive.IntegrationTests;

/// <summary>A v1 filter update over a real socket: the server reads the <c>options_update</c> the client sends mid-stream.</summary>
[CancelAfter(60_000)]
public sealed class FilterUpdateRealSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Test]
    public async Task FilterUpdates_V1_ServerReceivesOneOptionsUpdateOnTheOpenSocket(CancellationToken token)
    {
        var update = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new ScriptedServer(async (c, ct) =>
        {
            var socket = await c.AcceptAsync(ct);
            await c.SendTextAsync(Events.Like(1_000), ct);

            var buffer = new byte[64 * 1024];
            var result = await socket.ReceiveAsync(buffer, ct);
            Assert.That(result.MessageType, Is.EqualTo(WebSocketMessageType.Text));
            update.SetResult(Encoding.UTF8.GetString(buffer, 0, result.Count));

            await c.SendTextAsync(Events.Like(2_000), ct);
            await c.WaitForClientGoneAsync(ct);
        });
        using var filters = new Subject<JetstreamFilter>();
        var options = new JetstreamOptions
        {
            Endpoint = server.Uri,
            WantedCollections = ["app.bsky.feed.like"],
            FilterUpdates = filters,
            IdleTimeout = TimeSpan.FromSeconds(20),
        };

        var events = JetstreamObservable.Connect(options)
            .Do(e =>
            {
                if (e.TimeUs == 1_000)
                {
                    filters.OnNext(new JetstreamFilter { WantedCollections = ["app.bsky.feed.post"], WantedDids = [Events.Did] });
                }
            })
            .Take(2).ToList().ToTask(token);
        var sent = await update.Task.WaitAsync(Deadline, token);
        var delivered = await events.WaitAsync(Deadline, token);

        using var document = JsonDocument.Parse(sent);
        var payload = document.RootElement.GetProperty("payload");
        Assert.That(document.RootElement.GetProperty("type").GetString(), Is.EqualTo("options_update"));
        Assert.That(payload.GetProperty("wantedCollections").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "app.bsky.feed.post" }));
        Assert.That(payload.GetProperty("wantedDids").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { Events.Did }));
        Assert.That(delivered.Select(e => e.TimeUs), Is.EqualTo(new long[] { 1_000, 2_000 }));
        Assert.That(server.Connections, Has.Count.EqualTo(1), "the filter changed without a reconnect");
    }
}
