using Jetstream.Reactive.Testing;
using Jetstream.Reactive.Tests.Api;
using NUnit.Framework;

namespace Jetstream.Reactive.Testing.Tests.Api;

/// <summary>Guards the public API of Jetstream.Reactive.Testing against accidental changes (<see cref="ApiBaseline"/>).</summary>
public sealed class TestingPublicApiTests
{
    [Test]
    public void GeneratePublicApi_TestingAssembly_MatchesApprovedBaseline() => ApiBaseline.Verify(typeof(ConnectionScript).Assembly, "Jetstream.Reactive.Testing.approved.txt");
}
