using Jetstream.Reactive.Testing;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>StartAsync validates the options before it binds anything, naming the option at fault.</summary>
[CancelAfter(30_000)]
public sealed class JetstreamTestServerOptionsTests
{
    private static IEnumerable<TestCaseData> Invalid()
    {
        yield return new TestCaseData(new JetstreamTestServerOptions { EventsPerSecond = 0 }, "EventsPerSecond").SetArgDisplayNames("EventsPerSecond 0");
        yield return new TestCaseData(new JetstreamTestServerOptions { EventsPerSecond = -5 }, "EventsPerSecond").SetArgDisplayNames("EventsPerSecond negative");
        yield return new TestCaseData(new JetstreamTestServerOptions { EventsPerSecond = double.NaN }, "EventsPerSecond").SetArgDisplayNames("EventsPerSecond NaN");
        yield return new TestCaseData(new JetstreamTestServerOptions { EventsPerSecond = 1e8 }, "EventsPerSecond").SetArgDisplayNames("EventsPerSecond too high");
        yield return new TestCaseData(new JetstreamTestServerOptions { RetainedEvents = 0 }, "RetainedEvents").SetArgDisplayNames("RetainedEvents 0");
        yield return new TestCaseData(new JetstreamTestServerOptions { Port = -1 }, "Port").SetArgDisplayNames("Port negative");
        yield return new TestCaseData(new JetstreamTestServerOptions { Port = 65_536 }, "Port").SetArgDisplayNames("Port too high");
        yield return new TestCaseData(new JetstreamTestServerOptions { SlowSubscriberOutbox = 0 }, "SlowSubscriberOutbox").SetArgDisplayNames("SlowSubscriberOutbox 0");
        yield return new TestCaseData(new JetstreamTestServerOptions { PingInterval = TimeSpan.Zero }, "PingInterval").SetArgDisplayNames("PingInterval 0");
        yield return new TestCaseData(new JetstreamTestServerOptions { PingInterval = TimeSpan.FromSeconds(-2) }, "PingInterval").SetArgDisplayNames("PingInterval negative");
        yield return new TestCaseData(new JetstreamTestServerOptions { V2Dictionaries = [] }, "V2Dictionaries").SetArgDisplayNames("V2Dictionaries empty");
        yield return new TestCaseData(new JetstreamTestServerOptions { V2Dictionaries = [new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }] }, "V2Dictionaries").SetArgDisplayNames("V2Dictionaries not a dictionary");
        yield return new TestCaseData(new JetstreamTestServerOptions { TimeProvider = null! }, "TimeProvider").SetArgDisplayNames("TimeProvider null");
        yield return new TestCaseData(new JetstreamTestServerOptions { Faults = null! }, "Faults").SetArgDisplayNames("Faults null");
    }

    [TestCaseSource(nameof(Invalid))]
    public async Task StartAsync_InvalidOption_ThrowsArgumentExceptionNamingIt(JetstreamTestServerOptions options, string option)
    {
        var error = await Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), async () => await JetstreamTestServer.StartAsync(options));

        Assert.That(error!.Message, Does.Contain(option));
    }

    [Test]
    public async Task StartAsync_Defaults_Bind127001OnAFreePort(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(cancellationToken: token);

        Assert.That(server.Uri.Scheme, Is.EqualTo("ws"));
        Assert.That(server.Uri.Host, Is.EqualTo("127.0.0.1"));
        Assert.That(server.Uri.Port, Is.Positive);
        Assert.That(server.HttpUri, Is.EqualTo(new Uri($"http://127.0.0.1:{server.Uri.Port}")));
        Assert.That(server.Options.Flavor, Is.EqualTo(ServerFlavor.Current));
        Assert.That(server.Options.PingInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(server.Options.SlowSubscriberOutbox, Is.EqualTo(10_000));
        Assert.That(server.CurrentDictionaryId, Is.EqualTo(20_260_811u));
        Assert.That(server.NextSeq, Is.EqualTo(1));
        Assert.That(server.FloorSeq, Is.EqualTo(1));
    }
}
