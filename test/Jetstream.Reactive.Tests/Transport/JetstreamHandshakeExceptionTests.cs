using System.Net;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Transport;

public sealed class JetstreamHandshakeExceptionTests
{
    [TestCase("""{"error":"CursorTooOld","message":"cursor 5 below lookback floor 9"}""", "CursorTooOld", "cursor 5 below lookback floor 9")]
    [TestCase("""  {"message":"m","error":"InvalidRequest","extra":1}""", "InvalidRequest", "m")]
    [TestCase("""{"error":"UnknownZstdDictionary"}""", "UnknownZstdDictionary", null)]
    public void Error_XrpcJsonBody_IsParsed(string body, string error, string? message)
    {
        var e = new JetstreamHandshakeException(HttpStatusCode.BadRequest, body);

        Assert.That(e.Error, Is.EqualTo(error));
        Assert.That(e.ErrorMessage, Is.EqualTo(message));
        Assert.That(e.Body, Is.EqualTo(body));
    }

    [TestCase("invalid cursor: abc")]
    [TestCase("")]
    [TestCase("""{"error":""")]
    [TestCase("""{"message":"no error name"}""")]
    [TestCase("""{"error":42}""")]
    [TestCase("[1]")]
    public void Error_PlainOrBrokenBody_IsNull(string body)
    {
        var e = new JetstreamHandshakeException(HttpStatusCode.BadRequest, body);

        Assert.That(e.Error, Is.Null);
        Assert.That(e.ErrorMessage, Is.Null);
    }
}
