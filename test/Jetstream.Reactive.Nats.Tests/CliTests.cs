using System.Text.Json;
using Jetstream.Cli;
using Jetstream.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Nats.Tests.Scenario;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary><c>jetstream relay</c> and <c>tail --nats</c> / <c>stats --nats</c> against a real nats-server.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class CliTests
{
    [Test]
    public async Task RelayThenTailNats_EmulatorEvents_PrintedFromTheStreamWithFilters(CancellationToken token)
    {
        const int Count = 300;
        await using var nats = await NatsServer.StartAsync(token);
        await using var emulator = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions { Events = JetstreamEventSource.FromJson(Events(0, Count)) }, token);
        await using var check = Connect(nats.Url);

        using var stopRelay = CancellationTokenSource.CreateLinkedTokenSource(token);
        var relayErr = new StringWriter();
        var relay = CliApp.RunAsync(["relay", "--nats", nats.Url, "--endpoint", emulator.Uri.ToString(), "--nats-stream", "CLI", "--partitions", "4"], new StringWriter(), relayErr, stopRelay.Token);
        await WaitUntilAsync(async () => await MessagesAsync(check, "CLI", token) >= Count, "the relay filled the stream", token, () => relayErr.ToString());

        var all = new StringWriter();
        var allCode = await CliApp.RunAsync(["tail", "--nats", nats.Url, "--nats-stream", "CLI", "--nats-consumer", "everything", "--limit", Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json"], all, new StringWriter(), token);

        var identities = Events(0, Count).Count(e => e.Contains("\"identity\"", StringComparison.Ordinal));
        var some = new StringWriter();
        var someCode = await CliApp.RunAsync(["tail", "--nats", nats.Url, "--nats-stream", "CLI", "--nats-consumer", "ids", "--kind", "identity", "--limit", identities.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "json"], some, new StringWriter(), token);

        await stopRelay.CancelAsync();
        var relayCode = await relay.WaitAsync(TimeSpan.FromSeconds(20), token);

        var lines = all.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var kinds = some.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("kind").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(allCode, Is.Zero);
            Assert.That(lines, Has.Length.EqualTo(Count));
            Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("did").GetString()).Distinct().Count(), Is.EqualTo(40));
            Assert.That(someCode, Is.Zero);
            Assert.That(kinds, Has.Count.EqualTo(identities).And.All.EqualTo("identity"));
            Assert.That(relayCode, Is.Zero);
            Assert.That(relayErr.ToString(), Does.Contain($"relayed {Count:N0} events into CLI"));
        });
    }

    [Test]
    public async Task Tail_NatsWithCursor_UsageErrorNamesTheOption(CancellationToken token)
    {
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["tail", "--nats", "nats://127.0.0.1:1", "--cursor", "1700000000000000"], new StringWriter(), error, token);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("--cursor").And.Contains("--nats"));
        });
    }

    [Test]
    public async Task Relay_WithoutNats_UsageError(CancellationToken token)
    {
        var error = new StringWriter();
        var code = await CliApp.RunAsync(["relay", "--endpoint", "ws://127.0.0.1:1"], new StringWriter(), error, token);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("--nats"));
        });
    }
}
