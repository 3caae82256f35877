using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>Says once, on the console, why the NATS tests are ignored when nats-server is missing (each test is then ignored with the same reason).</summary>
[SetUpFixture]
public sealed class NatsSetUp
{
    [OneTimeSetUp]
    public void SayOnceWhenNatsServerIsMissing()
    {
        if (!NatsServer.IsAvailable && Environment.GetEnvironmentVariable(NatsServer.RequireVariable) != "1")
        {
            TestContext.Progress.WriteLine(NatsServer.InstallHint);
        }
    }
}
