using Jetstream.Reactive.Archive;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Archive;

/// <summary>Bad backfill settings fail at once, naming the option, the value and what is allowed.</summary>
public sealed class JetstreamBackfillOptionsTests
{
    private static readonly JetstreamOptions Live = new() { Protocol = JetstreamProtocol.V2, Endpoint = new Uri("wss://jetstream.example") };

    private static JetstreamOptionsException Invalid(JetstreamBackfillOptions options) =>
        Assert.Throws<JetstreamOptionsException>(() => JetstreamArchive.Backfill(options))!;

    [Test]
    public void Validate_Defaults_AreValidAndTheArchiveEndpointComesFromTheLiveOne()
    {
        var options = new JetstreamBackfillOptions(Live);
        Assert.DoesNotThrow(options.Validate);
        Assert.That(options.ResolveArchiveEndpoint(), Is.EqualTo(new Uri("https://jetstream.example/")));
    }

    [Test]
    public void Backfill_V1Live_FailsNamingProtocol() =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live with { Protocol = JetstreamProtocol.V1 })).Message, Does.Contain("Live.Protocol is V1"));

    [Test]
    public void Backfill_SeveralLiveEndpoints_FailsNamingEndpoints() =>
        Assert.That(
            Invalid(new JetstreamBackfillOptions(Live with { Endpoints = [new Uri("wss://a.example"), new Uri("wss://b.example")] })).Message,
            Does.Contain("Live.Endpoints has 2 hosts"));

    [Test]
    public void Backfill_BeforeSeqWithoutSnapshot_FailsNamingBeforeSeq() =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live) { BeforeSeq = 10 }).Message, Does.Contain("BeforeSeq is 10; it needs SnapshotOnly"));

    [Test]
    public void Backfill_TimestampAsAfterSeq_FailsNamingAfterSeq() =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live) { AfterSeq = 1_750_000_000_000_000 }).Message, Does.Contain("AfterSeq is 1750000000000000"));

    [TestCase(0)]
    [TestCase(65)]
    public void Backfill_DownloadConcurrencyOutOfRange_Fails(int value) =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live) { DownloadConcurrency = value }).Message, Does.Contain($"DownloadConcurrency is {value}; it must be from 1 to 64"));

    [Test]
    public void Backfill_EmptyApiKey_Fails() =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live) { ApiKey = " " }).Message, Does.Contain("ApiKey is empty"));

    [Test]
    public void Backfill_CursorStoreOnLive_FailsNamingIt() =>
        Assert.That(Invalid(new JetstreamBackfillOptions(Live with { CursorStore = new FileCursorStore(Path.Combine(Path.GetTempPath(), "unused-cursor")) })).Message, Does.Contain("Live.CursorStore is set"));

    [Test]
    public void ToString_WithApiKey_DoesNotShowIt()
    {
        var text = new JetstreamBackfillOptions(Live) { ApiKey = "very-secret" }.ToString();
        Assert.That(text, Does.Not.Contain("very-secret"));
        Assert.That(text, Does.Contain("ApiKey = (set)"));
    }
}
