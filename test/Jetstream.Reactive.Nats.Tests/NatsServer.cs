using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NUnit.Framework;

namespace Jetstream.Reactive.Nats.Tests;

/// <summary>
/// A real nats-server process with JetStream on 127.0.0.1, a free port and a temporary store directory; killed and its
/// directory deleted on dispose. Without nats-server the calling test is ignored with one line saying how to install
/// it, or fails when JETSTREAM_REQUIRE_NATS=1 (CI, which installs it).
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    public const string RequireVariable = "JETSTREAM_REQUIRE_NATS";
    public const string InstallHint = "nats-server is not installed, so the NATS tests are ignored: install it (Debian/Ubuntu: apt-get install nats-server; or put a nats-server 2.9+ binary on PATH or in NATS_SERVER) to run them.";

    private readonly string _binary;
    private readonly string[] _arguments;
    private Process? _process;

    private NatsServer(string binary, string name, int port, string storeDirectory, string[] extraArguments)
    {
        _binary = binary;
        Name = name;
        Port = port;
        StoreDirectory = storeDirectory;
        _arguments = ["-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-js", "-sd", storeDirectory, "--server_name", name, .. extraArguments];
    }

    public string Name { get; }

    public int Port { get; }

    public string StoreDirectory { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static bool IsAvailable => Find() is not null;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The nats-server binary, or the test is ignored (failed under JETSTREAM_REQUIRE_NATS=1).</summary>
    public static string RequireBinary()
    {
        var found = Find();
        if (found is not null)
        {
            return found;
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but nats-server was not found on PATH nor in NATS_SERVER.");
        }

        Assert.Ignore(InstallHint);
        return null!;
    }

    public static async Task<NatsServer> StartAsync(CancellationToken token)
    {
        var binary = RequireBinary();
        var server = new NatsServer(binary, "n1", FreePort(), NewStoreDirectory(), []);
        await server.StartProcessAsync(token).ConfigureAwait(false);
        await server.WaitForJetStreamAsync(token).ConfigureAwait(false);
        return server;
    }

    /// <summary>A cluster of <paramref name="size"/> servers with JetStream, routed to each other.</summary>
    public static async Task<IReadOnlyList<NatsServer>> StartClusterAsync(int size, CancellationToken token)
    {
        var binary = RequireBinary();
        var clusterPorts = Enumerable.Range(0, size).Select(_ => FreePort()).ToArray();
        var routes = string.Join(",", clusterPorts.Select(p => $"nats://127.0.0.1:{p}"));
        var servers = Enumerable.Range(0, size)
            .Select(i => new NatsServer(binary, $"n{i + 1}", FreePort(), NewStoreDirectory(), ["--cluster_name", "jr", "--cluster", $"nats://127.0.0.1:{clusterPorts[i]}", "--routes", routes]))
            .ToList();
        foreach (var s in servers)
        {
            await s.StartProcessAsync(token).ConfigureAwait(false);
        }

        foreach (var s in servers)
        {
            await s.WaitForJetStreamAsync(token).ConfigureAwait(false);
        }

        return servers;
    }

    public async Task RestartAsync(CancellationToken token)
    {
        Kill();
        await StartProcessAsync(token).ConfigureAwait(false);
        await WaitForJetStreamAsync(token).ConfigureAwait(false);
    }

    public void Kill()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
            _process = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test for.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("NATS_SERVER") is { Length: > 0 } explicitPath)
        {
            // An explicit path wins, also when it names nothing (which is how the ignore path is tried).
            return File.Exists(explicitPath) ? explicitPath : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "nats-server", "nats-server.exe" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string NewStoreDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jr-nats-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private Task StartProcessAsync(CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in _arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start.");
        // Drain its log so a full pipe never blocks it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return Task.CompletedTask;
    }

    private async Task WaitForJetStreamAsync(CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            token.ThrowIfCancellationRequested();
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"nats-server {Name} exited with code {_process.ExitCode}.");
            }

            try
            {
                await using var connection = new NatsConnection(new NatsOpts { Url = Url, ConnectTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(2) });
                await connection.ConnectAsync().ConfigureAwait(false);
                await new NatsJSContext(connection).GetAccountInfoAsync(token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
            }

            await Task.Delay(100, token).ConfigureAwait(false);
        }

        throw new TimeoutException($"nats-server {Name} on {Url} did not offer JetStream within 30 s: {last?.Message}");
    }
}
