using System.Reflection;
using Jetstream.Reactive.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>Binding from in-memory configuration, and the start-up validation messages, which name configuration keys.</summary>
[CancelAfter(60_000)]
public sealed class OptionsBindingTests
{
    private static IHost Host(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null) =>
        TestHosts.Build(settings, jetstream => jetstream.AddHandler<FastHandler>(), s =>
        {
            s.AddTestHandlerServices();
            services?.Invoke(s);
        });

    private static async Task<IReadOnlyList<string>> StartFailuresAsync(Dictionary<string, string?> settings, CancellationToken token, Action<IServiceCollection>? services = null)
    {
        using var host = Host(settings, services);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(token));
        return e!.Failures.ToList();
    }

    [Test]
    public void AddJetstream_SectionWithEverySetting_BindsEachIntoTheClientOptions()
    {
        using var host = Host(new()
        {
            ["Jetstream:Protocol"] = "V2",
            ["Jetstream:Endpoints:0"] = "wss://one.example",
            ["Jetstream:Endpoints:1"] = "wss://two.example",
            ["Jetstream:FailoverAfterAttempts"] = "5",
            ["Jetstream:FailoverRewind"] = "00:00:20",
            ["Jetstream:FailoverDedupeCapacity"] = "500",
            ["Jetstream:WantedCollections:0"] = "app.bsky.feed.post",
            ["Jetstream:WantedCollections:1"] = "app.bsky.graph.*",
            ["Jetstream:WantedDids:0"] = "did:plc:q6gjnaw2blty4crticxkmujt",
            ["Jetstream:Kinds:0"] = "Commit",
            ["Jetstream:Kinds:1"] = "Identity",
            ["Jetstream:Cursor"] = "1700000000000000",
            ["Jetstream:OnCursorTooOld"] = "RestartFromLive",
            ["Jetstream:ServerMaxMessageSize"] = "100000",
            ["Jetstream:CursorSaveInterval"] = "00:00:02",
            ["Jetstream:Overflow"] = "ResumeFromCursor",
            ["Jetstream:GapThreshold"] = "00:10:00",
            ["Jetstream:BufferCapacity"] = "1234",
            ["Jetstream:Backoff:InitialDelay"] = "00:00:01",
            ["Jetstream:Backoff:MaxDelay"] = "00:01:00",
            ["Jetstream:Backoff:Multiplier"] = "3",
            ["Jetstream:Backoff:Jitter"] = "0.5",
            ["Jetstream:IdleTimeout"] = "-00:00:00.001",
            ["Jetstream:MaxMessageSize"] = "65536",
            ["Jetstream:Compression"] = "Zstd",
            ["Jetstream:ZstdDictionaryDirectory"] = "dictionaries",
            ["Jetstream:CursorFile"] = "state/cursor.json",
            ["Jetstream:HandlerBufferCapacity"] = "77",
            ["Jetstream:ShutdownTimeout"] = "00:00:03",
            ["Jetstream:HealthLagThreshold"] = "00:00:42",
            ["Jetstream:StopHostOnFailure"] = "false",
        });

        var hosting = host.Services.GetRequiredService<IOptions<JetstreamHostingOptions>>().Value;
        var client = OptionsMapping.ToClientOptions(hosting);

        Assert.That(client.Protocol, Is.EqualTo(JetstreamProtocol.V2));
        Assert.That(client.Endpoint, Is.EqualTo(JetstreamOptions.DefaultEndpoint), "Endpoint is left at its default when Endpoints is set");
        Assert.That(client.Endpoints, Is.EqualTo(new[] { new Uri("wss://one.example"), new Uri("wss://two.example") }));
        Assert.That(client.FailoverAfterAttempts, Is.EqualTo(5));
        Assert.That(client.FailoverRewind, Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(client.FailoverDedupeCapacity, Is.EqualTo(500));
        Assert.That(client.WantedCollections, Is.EqualTo(new[] { "app.bsky.feed.post", "app.bsky.graph.*" }));
        Assert.That(client.WantedDids, Is.EqualTo(new[] { "did:plc:q6gjnaw2blty4crticxkmujt" }));
        Assert.That(client.Kinds, Is.EqualTo(new[] { JetstreamEventKind.Commit, JetstreamEventKind.Identity }));
        Assert.That(client.Cursor, Is.EqualTo(1_700_000_000_000_000));
        Assert.That(client.OnCursorTooOld, Is.EqualTo(JetstreamCursorTooOldBehavior.RestartFromLive));
        Assert.That(client.ServerMaxMessageSize, Is.EqualTo(100_000));
        Assert.That(client.CursorSaveInterval, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(client.Overflow, Is.EqualTo(JetstreamOverflow.ResumeFromCursor));
        Assert.That(client.GapThreshold, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(client.BufferCapacity, Is.EqualTo(1234));
        Assert.That(client.Backoff, Is.EqualTo(new BackoffPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMinutes(1), Multiplier = 3, Jitter = 0.5 }));
        Assert.That(client.IdleTimeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
        Assert.That(client.MaxMessageSize, Is.EqualTo(65_536));
        Assert.That(client.Compression, Is.EqualTo(JetstreamCompression.Zstd));
        Assert.That(client.ZstdDictionaryDirectory, Is.EqualTo("dictionaries"));
        Assert.That(client.Validate, Throws.Nothing);

        Assert.That(hosting.CursorFile, Is.EqualTo("state/cursor.json"));
        Assert.That(hosting.HandlerBufferCapacity, Is.EqualTo(77));
        Assert.That(hosting.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(hosting.HealthLagThreshold, Is.EqualTo(TimeSpan.FromSeconds(42)));
        Assert.That(hosting.StopHostOnFailure, Is.False);
    }

    [Test]
    public void JetstreamHostingOptions_Defaults_EqualTheLibrarysAndMirrorEverySetting()
    {
        // Every JetstreamOptions property is either mirrored by name or comes from the container; a new option that is
        // neither fails here, so the hosting options cannot fall behind the library.
        string[] fromServices = [nameof(JetstreamOptions.LoggerFactory), nameof(JetstreamOptions.MeterFactory), nameof(JetstreamOptions.Transport), nameof(JetstreamOptions.DictionarySource), nameof(JetstreamOptions.CursorStore)];
        var mirrored = typeof(JetstreamHostingOptions).GetProperties().Select(p => p.Name).ToHashSet();
        var clientProperties = typeof(JetstreamOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name);
        Assert.That(clientProperties.Where(p => !mirrored.Contains(p) && !fromServices.Contains(p)), Is.Empty, "JetstreamOptions properties the hosting options neither mirror nor take from DI");

        var defaults = new JetstreamOptions();
        var mapped = OptionsMapping.ToClientOptions(new JetstreamHostingOptions());
        foreach (var property in typeof(JetstreamOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && mirrored.Contains(p.Name)))
        {
            var expected = property.GetValue(defaults);
            var actual = property.GetValue(mapped);
            if (expected is System.Collections.IEnumerable list and not string)
            {
                Assert.That(actual, Is.EqualTo(list), property.Name);
            }
            else
            {
                Assert.That(actual, Is.EqualTo(expected), property.Name);
            }
        }
    }

    [Test]
    public async Task StartAsync_InvalidClientSettings_EachMessageNamesItsConfigurationKey(CancellationToken token)
    {
        var failures = await StartFailuresAsync(new()
        {
            ["Jetstream:BufferCapacity"] = "0",
            ["Jetstream:Backoff:MaxDelay"] = "2.00:00:00",
            ["Jetstream:Endpoints:0"] = "wss://one.example",
            ["Jetstream:Endpoints:1"] = "http://two.example",
            ["Jetstream:WantedCollections:0"] = "*",
            ["Jetstream:IdleTimeout"] = "00:00:00.5",
        }, token);

        Assert.That(failures, Has.Some.StartsWith("Jetstream:BufferCapacity is 0; it must be between 1 and 10,000,000."));
        Assert.That(failures, Has.Some.StartsWith("Jetstream:Backoff:MaxDelay is 2.00:00:00"));
        Assert.That(failures, Has.Some.StartsWith("Jetstream:Endpoints:1 is 'http://two.example/'; its scheme is 'http'"));
        Assert.That(failures, Has.Some.StartsWith("Jetstream:WantedCollections:0 is '*'"));
        Assert.That(failures, Has.Some.StartsWith("Jetstream:IdleTimeout is 00:00:00.5000000"));
        Assert.That(failures, Has.None.Contains("JetstreamOptions."), "no message names the C# property instead of the key");
        Assert.That(failures, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task StartAsync_InvalidHostSettings_EachMessageNamesItsConfigurationKey(CancellationToken token)
    {
        var failures = await StartFailuresAsync(new()
        {
            ["Jetstream:HandlerBufferCapacity"] = "0",
            ["Jetstream:HandlerBufferByteLimit"] = "1000",
            ["Jetstream:ShutdownTimeout"] = "-00:00:01",
            ["Jetstream:HealthLagThreshold"] = "00:00:00",
            ["Jetstream:CursorFile"] = "state/",
            ["Jetstream:CursorSaveInterval"] = "00:00:00.010",
        }, token);

        Assert.That(failures, Is.EquivalentTo(new[]
        {
            "Jetstream:CursorSaveInterval is 00:00:00.0100000; it must be between 100 ms and 1 hour.",
            "Jetstream:CursorFile is 'state/'; it must be a file path such as 'state/jetstream.cursor.json', or empty to keep no cursor file.",
            "Jetstream:HandlerBufferCapacity is 0; it must be between 1 and 10,000,000.",
            "Jetstream:HandlerBufferByteLimit is 1000; it must be at least 65536 bytes (64 KiB).",
            "Jetstream:ShutdownTimeout is -00:00:01; it must be between 0 and 1 hour (01:00:00).",
            "Jetstream:HealthLagThreshold is 00:00:00; it must be between 1 s (00:00:01) and 1 day (1.00:00:00).",
        }));
    }

    [Test]
    public async Task StartAsync_MisspelledKeys_NamedWithTheClosestSetting(CancellationToken token)
    {
        var failures = await StartFailuresAsync(new()
        {
            ["Jetstream:BufferCapcity"] = "100",
            ["Jetstream:Backoff:MaxDelays"] = "00:00:10",
            ["Jetstream:Colour"] = "blue",
        }, token);

        Assert.That(failures, Is.EquivalentTo(new[]
        {
            "Jetstream:BufferCapcity is not a Jetstream setting; did you mean Jetstream:BufferCapacity? (see docs/hosting.md for the settings).",
            "Jetstream:Backoff:MaxDelays is not a Backoff setting; did you mean Jetstream:Backoff:MaxDelay? (the settings are InitialDelay, MaxDelay, Multiplier, Jitter).",
            "Jetstream:Colour is not a Jetstream setting (see docs/hosting.md for the settings).",
        }));
    }

    [Test]
    public async Task StartAsync_ValueOfTheWrongType_ErrorNamesTheKey(CancellationToken token)
    {
        using var host = Host(new() { ["Jetstream:BufferCapacity"] = "lots" });

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(token));

        Assert.That(e!.Message, Does.Contain("'Jetstream:BufferCapacity'"));
    }

    [Test]
    public async Task StartAsync_ConfiguredInCode_MessagesNameThePropertyPath(CancellationToken token)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddTestHandlerServices();
        builder.Services.AddJetstream(o =>
        {
            o.BufferCapacity = 0;
            o.Endpoints = [new Uri("wss://one.example"), new Uri("wss://one.example")];
        }).AddHandler<FastHandler>();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(token));

        Assert.That(e!.Failures, Is.EquivalentTo(new[]
        {
            "JetstreamHostingOptions.Endpoints[1] is 'wss://one.example/', the same server as Endpoints[0]; list each server once.",
            "JetstreamHostingOptions.BufferCapacity is 0; it must be between 1 and 10,000,000.",
        }));
    }

    [Test]
    public async Task StartAsync_SectionThenDelegate_DelegateWinsAndKeysStillNamed(CancellationToken token)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Jetstream:BufferCapacity"] = "5" });
        builder.Services.AddTestHandlerServices();
        builder.Services.AddJetstream(builder.Configuration.GetSection("Jetstream"), o => o.BufferCapacity = 0).AddHandler<FastHandler>();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(token));

        Assert.That(e!.Failures, Is.EqualTo(new[] { "Jetstream:BufferCapacity is 0; it must be between 1 and 10,000,000." }));
    }

    [Test]
    public async Task StartAsync_NoHandler_FailsWithHowToAddOne(CancellationToken token)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddJetstream(builder.Configuration.GetSection("Jetstream"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(token));

        Assert.That(e!.Failures, Is.EqualTo(new[] { "No Jetstream handler is registered: add one with AddJetstream(…).AddHandler<THandler>() or .AddBatchHandler<THandler>()." }));
    }

    [Test]
    public async Task StartAsync_CursorFileAndRegisteredStore_FailsNamingBoth(CancellationToken token)
    {
        var failures = await StartFailuresAsync(new() { ["Jetstream:CursorFile"] = "cursor.json" }, token, s => s.AddSingleton<ICursorStore>(new FileCursorStore("other.json")));

        Assert.That(failures, Is.EqualTo(new[] { "Jetstream:CursorFile is set and an ICursorStore (FileCursorStore) is registered; use one or the other." }));
    }

    [Test]
    public void AddHandler_DuplicateNameOrBadSizes_ThrowsAtRegistration()
    {
        var jetstream = new ServiceCollection().AddJetstream(_ => { }).AddHandler<FastHandler>();

        Assert.That(() => jetstream.AddHandler<FastHandler>(), Throws.ArgumentException.With.Message.Contains("A Jetstream handler named 'FastHandler' is already registered"));
        Assert.That(() => jetstream.AddHandler<FastHandler>(h => { h.Name = "second"; h.BufferCapacity = 0; }), Throws.ArgumentException.With.Message.StartsWith("JetstreamHandlerOptions.BufferCapacity of handler 'second' is 0"));
        Assert.That(() => jetstream.AddBatchHandler<BatchHandler>(h => h.MaxBatchSize = 0), Throws.ArgumentException.With.Message.StartsWith("JetstreamHandlerOptions.MaxBatchSize of handler 'BatchHandler' is 0"));
        Assert.That(() => jetstream.AddHandler<FastHandler>(h => h.Name = "second"), Throws.Nothing);
    }

    [Test]
    public void SampleAppSettings_BindAndValidate_WithoutProblems()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(TestContext.CurrentContext.TestDirectory, "Sample", "appsettings.json")).Build();
        var services = new ServiceCollection().AddTestHandlerServices();
        services.AddJetstream(configuration.GetSection("Jetstream")).AddHandler<FastHandler>();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JetstreamHostingOptions>>().Value;

        Assert.That(options.CursorFile, Is.EqualTo("state/jetstream.cursor.json"));
        Assert.That(options.WantedCollections, Is.EqualTo(new[] { "app.bsky.feed.post", "app.bsky.feed.like" }));
        Assert.That(options.Compression, Is.EqualTo(JetstreamCompression.Zstd));
    }
}
