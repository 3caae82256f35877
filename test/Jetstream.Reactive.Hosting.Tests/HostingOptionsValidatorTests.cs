using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>The host names a client option by the configuration key of its structured path, and leaves the value alone.</summary>
[CancelAfter(60_000)]
public sealed class HostingOptionsValidatorTests
{
    [Test]
    public async Task StartAsync_ValueThatLooksLikeAnOptionName_OnlyTheSettingIsRenamed(CancellationToken token)
    {
        // The value quotes text shaped like a C# option name: only the setting's own name may become a key.
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Jetstream:Endpoints:0"] = "wss://one.example/JetstreamOptions.Cursor?x=1", ["Jetstream:Endpoints:1"] = "wss://two.example" },
            jetstream => jetstream.AddHandler<FastHandler>(),
            s => s.AddTestHandlerServices());

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(token));

        Assert.That(e!.Failures, Is.EqualTo(new[]
        {
            "Jetstream:Endpoints:0 is 'wss://one.example/JetstreamOptions.Cursor?x=1'; it must not have a query or fragment: set filters and the cursor as options.",
        }));
    }

    [TestCase("Endpoints[1]", "Jetstream:Endpoints:1")]
    [TestCase("Backoff.MaxDelay", "Jetstream:Backoff:MaxDelay")]
    [TestCase("BufferCapacity", "Jetstream:BufferCapacity")]
    public void Key_PathUnderSection_IsTheConfigurationKey(string path, string key)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Jetstream:BufferCapacity"] = "1" }).Build().GetSection("Jetstream");

        Assert.That(HostingOptionsValidator.Key(section, path), Is.EqualTo(key));
        Assert.That(HostingOptionsValidator.Key(null, path), Is.EqualTo("JetstreamHostingOptions." + path));
    }
}
