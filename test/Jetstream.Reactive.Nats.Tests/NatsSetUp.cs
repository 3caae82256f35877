using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>
/// Says once, on the console, why the NATS tests are ignored when nats-server is missing (each test is then ignored with
/// the same reason); after the last test, ends any nats-server a test left running, so none outlives the run.
/// </summary>
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

    [OneTimeTearDown]
    public void KillLeftoverServers()
    {
        var left = NatsServer.KillAll();
        if (left > 0)
        {
            TestContext.Progress.WriteLine($"{left} nats-server process(es) were still running after the NATS tests; killed.");
        }
    }
}
