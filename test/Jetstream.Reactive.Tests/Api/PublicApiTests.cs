using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Api;

/// <summary>Guards the public API of Jetstream.Reactive against accidental changes (<see cref="ApiBaseline"/>).</summary>
public sealed class PublicApiTests
{
    [Test]
    public void GeneratePublicApi_LibraryAssembly_MatchesApprovedBaseline() => ApiBaseline.Verify(typeof(JetstreamObservable).Assembly, "Jetstream.Reactive.approved.txt");
}
