using System.Reactive.Disposables;
using System.Reactive.Subjects;
using Jetstream.Reactive.Linq;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Validation;

/// <summary>Reliability settings out of range fail fast naming the option, the value and the range.</summary>
public sealed class ReliabilityOptionsTests
{
    private Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Options_ReliabilitySettingsOutOfRange_NameTheOptionTheValueAndTheRange()
    {
        var options = _h.Options with
        {
            CursorSaveInterval = TimeSpan.FromMilliseconds(10),
            Overflow = (JetstreamOverflow)7,
            GapThreshold = TimeSpan.Zero,
        };

        var error = Assert.Throws<JetstreamOptionsException>(() => JetstreamObservable.Connect(options))!;

        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.CursorSaveInterval is 00:00:00.0100000; it must be between 100 ms and 1 hour"));
        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.Overflow is 7; it must be DropIncoming or ResumeFromCursor"));
        Assert.That(error.Errors, Has.Some.StartsWith("JetstreamOptions.GapThreshold is 00:00:00; it must be between 1 s and 30 days"));
    }
}
