using Jetstream.Reactive.Tests.Api;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests.Api;

/// <summary>Guards the public API of Jetstream.Reactive.Hosting against accidental changes (<see cref="ApiBaseline"/>).</summary>
public sealed class PublicApiTests
{
    [Test]
    public void GeneratePublicApi_HostingAssembly_MatchesApprovedBaseline() => ApiBaseline.Verify(typeof(JetstreamBuilder).Assembly, "Jetstream.Reactive.Hosting.approved.txt");
}
