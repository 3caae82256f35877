using System.Net;
using System.Net.WebSockets;
using Jetstream.Reactive.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using static Jetstream.Reactive.Tests.Infrastructure.Harness;

namespace Jetstream.Reactive.Tests.Diagnostics;

/// <summary>Server text in logs and exception messages: cleaned, cut, and a repeated notice logged once per window with a count.</summary>
public sealed class HostileServerTextTests
{
    private const int ServerTextLogLimit = Jetstream.Reactive.Diagnostics.ServerTextLog.MaxKeys + 1;
    private const string Escape = "\u001b]52;c;ZXZpbA==\u0007\nforged\u202E";
    private Harness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new Harness();
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V2 };
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void Connect_V2InfoWithHostileLongMessage_LoggedCleanedAndCut()
    {
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () => _h.Transport.Socket(0).SendText(V2Frames.Info("Outdated\\u001b[2J", "\\u001b]52;c;ZXZpbA==\\u0007\\nforged" + new string('x', 10_000))));
        _h.Scheduler.AdvanceTo(1_000);

        var message = _h.LogsWithId(1016).Single().Message;
        AssertNoControls(message);
        Assert.That(message, Does.Contain("Outdated␛[2J").And.Contain("␛]52;c;ZXZpbA==␇␊forged"));
        Assert.That(message, Has.Length.LessThan(700));
    }

    [Test]
    public void Connect_V2InfoInEveryFrame_LoggedOncePerWindowWithTheCount()
    {
        _h.Options = _h.Options with { IdleTimeout = TimeSpan.FromMinutes(10) };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () =>
        {
            for (var i = 0; i < 100; i++)
            {
                _h.Transport.Socket(0).SendText(V2Frames.Info());
            }
        });
        _h.Scheduler.AdvanceTo(Seconds(30));
        Assert.That(_h.LogsWithId(1016), Has.Count.EqualTo(1));

        _h.At(Seconds(61), () => _h.Transport.Socket(0).SendText(V2Frames.Info()));
        _h.Scheduler.AdvanceTo(Seconds(62));

        Assert.That(_h.LogsWithId(1016), Has.Count.EqualTo(2));
        var repeated = _h.LogsWithId(1036).Single();
        Assert.That(repeated.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(repeated.Message, Does.Contain("'OutdatedCursor' came 99 more times"));
    }

    [Test]
    public void Connect_V1UnknownKindsWithHostileNames_CleanedRateLimitedAndBoundedInKeys()
    {
        _h.Options = _h.Options with { Protocol = JetstreamProtocol.V1 };
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(_ => { });
        _h.At(100, () =>
        {
            for (var i = 0; i < 200; i++)
            {
                _h.Transport.Socket(0).SendText($$"""{"did":"did:plc:aaaaaaaaaaaaaaaaaaaaaaaa","time_us":1779719000000000,"kind":"k{{i}}\u001b[2J"}""");
            }
        });
        _h.Scheduler.AdvanceTo(1_000);

        var logs = _h.LogsWithId(1006);
        Assert.That(logs, Has.Count.EqualTo(ServerTextLogLimit), "a fresh name per frame is bounded: the tracked names, then one shared slot");
        foreach (var log in logs)
        {
            AssertNoControls(log.Message);
        }
        Assert.That(logs[0].Message, Does.Contain("k0␛[2J"));
    }

    [Test]
    public void HandshakeException_LoneSurrogateEscapeInBody_ParsedAndRetryable()
    {
        var error = new JetstreamHandshakeException(HttpStatusCode.ServiceUnavailable, """{"error":"\udc00","message":"x\ud800y"}""");

        Assert.That(error.IsRetryable, Is.True);
        Assert.That(error.Error, Is.EqualTo("\\udc00"));
        Assert.That(error.ErrorMessage, Is.EqualTo("x\\ud800y"));
    }

    [Test]
    public void Connect_503WithLoneSurrogateBody_Retries()
    {
        _h.Transport.ThenFail(new JetstreamHandshakeException(HttpStatusCode.ServiceUnavailable, """{"error":"\udc00"}"""));
        var observer = _h.Scheduler.CreateObserver<JetstreamEvent>();
        using var sub = JetstreamObservable.Connect(_h.Options).Subscribe(observer);
        _h.Scheduler.AdvanceTo(Seconds(10));

        Assert.That(observer.Messages, Is.Empty, "no error: the 503 is retried");
        Assert.That(_h.Transport.Attempts, Has.Count.EqualTo(2));
    }

    [Test]
    public void ExceptionMessages_HostileServerText_CleanedWhileThePropertiesKeepItAsSent()
    {
        var closed = new JetstreamConnectionClosedException(WebSocketCloseStatus.PolicyViolation, Escape);
        var handshake = new JetstreamHandshakeException(HttpStatusCode.BadRequest, Escape + new string('x', 10_000));
        var server = new JetstreamServerErrorException(Escape, Escape);

        foreach (var message in new[] { closed.Message, handshake.Message, server.Message })
        {
            AssertNoControls(message);
            Assert.That(message, Has.Length.LessThan(1_300));
        }

        Assert.That(closed.CloseDescription, Is.EqualTo(Escape));
        Assert.That(handshake.Body, Does.StartWith(Escape));
        Assert.That(server.ServerMessage, Is.EqualTo(Escape));
    }

    private static void AssertNoControls(string text)
    {
        // Ordinal: a culture-aware Contains ignores control characters and would match them anywhere.
        Assert.That(text.Where(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E').Select(c => $"U+{(int)c:X4}"), Is.Empty, text);
    }
}
