using System.Net;
using System.Net.WebSockets;
using System.Reactive;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Reactive.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Validation;

/// <summary>Connect rejects options it cannot run with before any subscription.</summary>
public sealed class ConnectValidationTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_InlineScheduler_RejectedBeforeSubscribing()
    {
        var options = _h.Options with { Scheduler = System.Reactive.Concurrency.Scheduler.Immediate };

        Assert.That(() => JetstreamObservable.Connect(options), Throws.TypeOf<JetstreamOptionsException>().With.Message.Contains("JetstreamOptions.Scheduler is ImmediateScheduler"));
        Assert.That(_h.Transport.Attempts, Is.Empty);
    }
}
