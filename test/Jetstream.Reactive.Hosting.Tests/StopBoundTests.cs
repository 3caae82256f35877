using Jetstream.Reactive.Testing;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>The host's stop token bounds the stop, even when a handler ignores its own cancelled token.</summary>
[CancelAfter(120_000)]
public sealed class StopBoundTests
{
    [Test]
    public async Task StopAsync_HandlerIgnoresItsToken_ReturnsWhenTheHostsTokenIsCancelled(CancellationToken token)
    {
        await using var server = await JetstreamTestServer.StartAsync(new JetstreamTestServerOptions
        {
            Events = JetstreamEventSource.FromGenerator(TestHosts.Post, 3),
        }, token);
        var settings = TestHosts.For(server, TestHosts.TempCursorFile());
        settings["Jetstream:ShutdownTimeout"] = "00:00:00";
        var gate = new StuckGate();
        using var host = TestHosts.Build(settings, j => j.AddHandler<TokenIgnoringHandler>(), s => s.AddSingleton(gate));
        try
        {
            await host.StartAsync(token);
            await gate.Entered.Task.WaitAsync(TestHosts.Deadline, token);

            // The host's own shutdown budget is already spent: the stop must give up on the stuck handler at once.
            using var hostStop = new CancellationTokenSource();
            await hostStop.CancelAsync();
            var stopping = host.StopAsync(hostStop.Token);
            try
            {
                await stopping.WaitAsync(TestHosts.Deadline, token);
            }
            catch (OperationCanceledException) when (hostStop.IsCancellationRequested && !token.IsCancellationRequested)
            {
                // The host may report its cancelled stop; what matters is that the stop returned.
            }

            Assert.That(stopping.IsCompleted, "the stop returned though the handler never finished");
        }
        finally
        {
            gate.Release.TrySetResult();
        }
    }

    /// <summary>Lets the test see the handler enter, and ends its wait only when the test is over.</summary>
    private sealed class StuckGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A handler that misbehaves on purpose: it waits for its gate and never looks at its token.</summary>
    private sealed class TokenIgnoringHandler(StuckGate gate) : IJetstreamHandler
    {
        public async Task HandleAsync(JetstreamEvent jetstreamEvent, CancellationToken cancellationToken)
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
        }
    }
}
