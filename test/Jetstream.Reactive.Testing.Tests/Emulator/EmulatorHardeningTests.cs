using System.Net;
using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>The emulator as a long-running local server: bounded connection history, and no connections from foreign web pages.</summary>
[CancelAfter(30_000)]
public sealed class EmulatorHardeningTests
{
    [Test]
    public async Task Connections_ManyMoreThanTheHistory_KeepsOnlyTheNewest(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new JetstreamTestServerOptions { MaxConnectionHistory = 3 }, token);

        for (var i = 0; i < 8; i++)
        {
            await Handshake.RejectedAsync(server.Uri, $"/subscribe?wantedCollections=bad{i}..x", token);
        }

        Assert.That(server.Connections.Select(c => c.Number), Is.EqualTo(new[] { 6, 7, 8 }));
        Assert.That(await server.WaitForConnectionsAsync(8, WireClient.Deadline, token), Has.Count.EqualTo(3), "the wait counts every connection, not the kept ones");
    }

    [Test]
    public async Task Upgrade_ForeignOrigin_RefusedWith403(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new JetstreamTestServerOptions(), token);

        var refused = await Handshake.RejectedAsync(server.Uri, "/subscribe", token, new Dictionary<string, string> { ["Origin"] = "https://evil.example" });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(refused.Body, Does.Contain("cross-origin"));
    }

    [Test]
    public async Task Upgrade_LoopbackOrAllowedOriginOrNone_Accepted(CancellationToken token)
    {
        await using var server = await EmulatorTest.StartAsync(new JetstreamTestServerOptions { AllowedOrigins = ["https://app.example"] }, token);

        foreach (var origin in new[] { "http://localhost:5173", "http://127.0.0.1:8080", "https://app.example", null })
        {
            var headers = origin is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Origin"] = origin };
            using var socket = await Handshake.AcceptedAsync(server.Uri, "/subscribe", token, headers: headers);
            socket.Abort();
        }
    }
}
