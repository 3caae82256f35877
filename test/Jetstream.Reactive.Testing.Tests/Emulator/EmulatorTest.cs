using System.Text.Json.Nodes;
using Jetstream.Reactive.Testing;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>Shared pieces of the emulator's wire tests.</summary>
internal static class EmulatorTest
{
    public static readonly IReadOnlyList<JsonNode> BundledSource =
        JetstreamEventSource.BundledRealEvents.Read().Select(e => WireClient.ParseStrict(e.Span)).ToList();

    public static Task<JetstreamTestServer> StartAsync(JetstreamTestServerOptions options, CancellationToken token) =>
        JetstreamTestServer.StartAsync(options with { PingInterval = Timeout.InfiniteTimeSpan }, token).WaitAsync(WireClient.Deadline, token);

    /// <summary>The events the server knows as a JSON-lines source of <paramref name="events"/>.</summary>
    public static JetstreamEventSource Source(params string[] events) => JetstreamEventSource.FromJson(events);

    /// <summary>Waits for <paramref name="condition"/>, checking every few milliseconds, for at most <see cref="WireClient.Deadline"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(WireClient.Deadline);
        while (!condition())
        {
            try
            {
                await Task.Delay(5, deadline.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
        }
    }

    /// <summary>The event without the fields a server stamps.</summary>
    public static JsonNode WithoutStamps(JsonNode e)
    {
        var copy = e.DeepClone().AsObject();
        copy.Remove("time_us");
        copy.Remove("cursor");
        return copy;
    }
}
