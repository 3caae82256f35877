using Jetstream.Reactive.Testing;
using NATS.Client.JetStream;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>
/// The relay's publish retry. Killing nats-server does not prove it: the client keeps unsent publishes and flushes them
/// after reconnecting, so they are stored without any retry. Here the stream refuses publishes outright (its subjects
/// are taken away), so a refused event is stored only if the relay sends it again.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RelayRetryTests
{
    [Test]
    public async Task Relay_PublishesRefusedThenAcceptedAgain_SentAgainUntilStoredNothingLostNothingDoubled(CancellationToken token)
    {
        const int Batch = 200;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions(), token);
        await using var check = Connect(nats.Url);
        await using var relay = StartRelay(nats.Url, RelayOptions(emulator.Uri, "RETRY"));
        emulator.Publish(Events(0, Batch));
        await WaitUntilAsync(() => relay.Relay.Published >= Batch, "the first batch stored", token);

        // No stream listens on the relay's subjects any more: every publish fails (no responders) and nothing is stored.
        var js = new NatsJSContext(check);
        var config = (await js.GetStreamAsync("RETRY", cancellationToken: token)).Info.Config;
        var subjects = config.Subjects;
        config.Subjects = ["parked.>"];
        await js.UpdateStreamAsync(config, token);
        emulator.Publish(Events(Batch, Batch));
        await WaitUntilAsync(() => relay.Relay.Retries >= 2, "the relay's publishes failing and sent again", token, () => $"published {relay.Relay.Published}");
        var storedWhileRefused = await MessagesAsync(check, "RETRY", token);

        config.Subjects = subjects;
        await js.UpdateStreamAsync(config, token);
        await WaitUntilAsync(async () => await MessagesAsync(check, "RETRY", token) >= 2 * Batch, "both batches stored", token,
            () => $"published {relay.Relay.Published}, retries {relay.Relay.Retries}");

        // The relay counts a publish when its acknowledgement comes back, which may be after the stream shows the message.
        await WaitUntilAsync(() => relay.Relay.Published >= 2 * Batch, "the relay counted every acknowledgement", token, () => $"published {relay.Relay.Published}");
        var ids = await ReadIdsAsync(check, "RETRY", token);
        Assert.Multiple(() =>
        {
            Assert.That(storedWhileRefused, Is.EqualTo(Batch), "nothing of the second batch was stored while refused");
            Assert.That(ids, Has.Count.EqualTo(2 * Batch));
            Assert.That(ids.ToHashSet().SetEquals(ExpectedIds(0, 2 * Batch)), Is.True, "every event once");
            Assert.That(relay.Relay.Published, Is.EqualTo(2 * Batch));
        });
    }
}
