using Jetstream.Reactive.Tests.Api;
using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests.Api;

/// <summary>Guards the public API of Jetstream.Reactive.Nats against accidental changes (<see cref="ApiBaseline"/>).</summary>
public sealed class PublicApiTests
{
    [Test]
    public void GeneratePublicApi_NatsAssembly_MatchesApprovedBaseline() => ApiBaseline.Verify(typeof(JetstreamNatsRelay).Assembly, "Jetstream.Reactive.Nats.approved.txt");
}
