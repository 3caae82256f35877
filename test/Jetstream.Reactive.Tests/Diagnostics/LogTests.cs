using System.Reflection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Diagnostics;

public sealed class LogTests
{
    private static readonly List<LoggerMessageAttribute> Messages = typeof(JetstreamObservable).Assembly
        .GetType("Jetstream.Reactive.Diagnostics.Log", throwOnError: true)!
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>()
        .ToList();

    [Test]
    public void Log_EventIds_AreUniqueAndInTheLibraryRange()
    {
        Assert.That(Messages, Has.Count.GreaterThanOrEqualTo(10));
        Assert.That(Messages.Select(m => m.EventId), Is.Unique);
        Assert.That(Messages.Select(m => m.EventId), Has.All.InRange(1000, 1099));
    }

    [Test]
    public void Log_EventNames_AreUniqueAndSet()
    {
        Assert.That(Messages.Select(m => m.EventName), Has.All.Not.Null.And.Not.Empty);
        Assert.That(Messages.Select(m => m.EventName), Is.Unique);
    }

    [Test]
    public void Log_MessagesThatCarryPayloadBytesOrFilterValues_AreDebugOnly()
    {
        // {Prefix}: the first bytes of a frame or a record; {Errors}: validation messages that quote filter values.
        // docs/telemetry.md promises both only at Debug.
        var withUserData = Messages
            .Where(m => m.Message.Contains("{Prefix}", StringComparison.Ordinal) || m.Message.Contains("{Errors}", StringComparison.Ordinal))
            .ToList();
        Assert.That(withUserData.Select(m => m.EventId), Is.SupersetOf(new[] { 1005, 1025, 1050 }));
        Assert.That(withUserData.Select(m => m.Level), Has.All.LessThanOrEqualTo(LogLevel.Debug));
    }
}
