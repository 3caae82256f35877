using System.Net;
using Jetstream.Reactive.Compression;
using Jetstream.Reactive.Tests.Infrastructure;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Reconnect;

/// <summary>A host that keeps rejecting dictionaries is a failing host: its repeated rejections count toward failover.</summary>
public sealed class DictionaryRejectionFailoverTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_RepeatedUnknownZstdDictionary_FailsOverToTheNextHost()
    {
        _h.Options = _h.Options with
        {
            Protocol = JetstreamProtocol.V2,
            Compression = JetstreamCompression.Zstd,
            Endpoint = JetstreamOptions.DefaultEndpoint,
            Endpoints = [new Uri("ws://127.0.0.1:6008"), new Uri("ws://127.0.0.2:6008")],
            FailoverAfterAttempts = 1,
        };
        for (uint i = 1; i <= 2; i++)
        {
            var next = 30_000_000 + i;
            _h.Dictionaries.Held[next] = ScriptedDictionarySource.WithId(JetstreamZstdDictionaries.BundledV2.Span, next);
            _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.BadRequest, V2Frames.XrpcError("UnknownZstdDictionary", $"unknown zstd dictionary; the current dictionary is {next}")));
        }

        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.Scheduler.AdvanceTo(Seconds(60));

        var hosts = _h.Transport.Attempts.Select(a => a.Uri.Host).ToList();
        Assert.That(hosts.Take(2), Has.All.EqualTo("127.0.0.1"), "the first rejection rotates the dictionary on the same host");
        Assert.That(hosts[2], Is.EqualTo("127.0.0.2"), "the second in a row is a failure like any other: with FailoverAfterAttempts = 1 the next attempt goes to the next host");
    }
}
