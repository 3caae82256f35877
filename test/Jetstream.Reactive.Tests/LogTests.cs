using System.Reflection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests;

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
    public void Log_MessagesThatCarryPayloadBytes_AreDebugOnly()
    {
        var withPayload = Messages.Where(m => m.Message.Contains("{Prefix}", StringComparison.Ordinal)).ToList();
        Assert.That(withPayload, Is.Not.Empty);
        Assert.That(withPayload.Select(m => m.Level), Has.All.LessThanOrEqualTo(LogLevel.Debug));
    }
}
