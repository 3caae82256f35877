using System.Collections.Concurrent;
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
/// <remarks>
/// Ports are found by binding port 0 and releasing it, which another process may take before nats-server binds it: a
/// start that fails because the port is in use is retried on fresh ports, and the server answering is checked to be ours
/// (by its unique name). Any failed start kills its process. Every process started is tracked until killed;
/// <see cref="KillAll"/> (run after the last test, and at process exit) ends any a test left behind.
/// </remarks>
internal sealed class NatsServer : IAsyncDisposable
{
    public const string RequireVariable = "JETSTREAM_REQUIRE_NATS";
    public const string InstallHint = "nats-server is not installed, so the NATS tests are ignored: install it (Debian/Ubuntu: apt-get install nats-server; or put a nats-server 2.9+ binary on PATH or in NATS_SERVER) to run them.";

    private const int StartAttempts = 5;

    private static readonly ConcurrentDictionary<int, Process> Live = new();

    private readonly string _binary;
    private readonly string[] _arguments;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    static NatsServer()
    {
        // A run that ends without the teardown (a crash, a cancelled run) still takes its servers down.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private NatsServer(string binary, string name, int port, string storeDirectory, string[] extraArguments)
    {
        _binary = binary;
        Name = name;
        Port = port;
        StoreDirectory = storeDirectory;
        _arguments = ["-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-js", "-sd", storeDirectory, "--server_name", name, .. extraArguments];
    }

    /// <summary>The server's unique name (its identity check when it answers).</summary>
    public string Name { get; }

    public int Port { get; }

    public string StoreDirectory { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>How many nats-server processes this test run started and has not killed yet.</summary>
    public static int Running => Live.Count;

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

    public static Task<NatsServer> StartAsync(CancellationToken token) => StartAsync(FreePort, token);

    /// <summary>Starts a server on the port <paramref name="pickPort"/> gives, or on the next one if that is taken.</summary>
    /// <param name="pickPort">Gives the port of each attempt.</param>
    /// <param name="token">Cancels the start.</param>
    /// <param name="processStarted">Called once the process runs, before the wait for JetStream (tests of this helper).</param>
    internal static async Task<NatsServer> StartAsync(Func<int> pickPort, CancellationToken token, Action? processStarted = null)
    {
        var binary = RequireBinary();
        for (var attempt = 1; ; attempt++)
        {
            var server = new NatsServer(binary, UniqueName("n1"), pickPort(), NewStoreDirectory(), []);
            try
            {
                await server.StartCheckedAsync(token, processStarted).ConfigureAwait(false);
                return server;
            }
            catch (NatsPortClashException) when (attempt < StartAttempts)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>A cluster of <paramref name="size"/> servers with JetStream, routed to each other.</summary>
    public static async Task<IReadOnlyList<NatsServer>> StartClusterAsync(int size, CancellationToken token)
    {
        var binary = RequireBinary();
        for (var attempt = 1; ; attempt++)
        {
            var clusterPorts = Enumerable.Range(0, size).Select(_ => FreePort()).ToArray();
            var routes = string.Join(",", clusterPorts.Select(p => $"nats://127.0.0.1:{p}"));
            var servers = Enumerable.Range(0, size)
                .Select(i => new NatsServer(binary, UniqueName($"n{i + 1}"), FreePort(), NewStoreDirectory(), ["--cluster_name", "jr", "--cluster", $"nats://127.0.0.1:{clusterPorts[i]}", "--routes", routes]))
                .ToList();
            try
            {
                foreach (var s in servers)
                {
                    s.StartProcess(token);
                }

                foreach (var s in servers)
                {
                    await s.WaitForJetStreamAsync(token).ConfigureAwait(false);
                }

                return servers;
            }
            catch (Exception e)
            {
                // Never leave part of a cluster running: every node goes, then a port clash is tried again on new ports.
                foreach (var s in servers)
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }

                if (e is not NatsPortClashException || attempt >= StartAttempts)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>Kills the server and starts it again on the same port and store (clients reconnect to the same URL).</summary>
    public async Task RestartAsync(CancellationToken token)
    {
        Kill();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartCheckedAsync(token).ConfigureAwait(false);
                return;
            }
            catch (NatsPortClashException) when (attempt < StartAttempts)
            {
                // Someone took the port meanwhile; the URL cannot change, so wait for it to be free again.
                await Task.Delay(200 * attempt, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Kills every nats-server this run started and has not killed; returns how many there were.</summary>
    public static int KillAll()
    {
        var left = 0;
        foreach (var (pid, process) in Live)
        {
            if (Live.TryRemove(pid, out _))
            {
                left++;
                KillProcess(process);
            }
        }

        return left;
    }

    public void Kill()
    {
        if (_process is { } p)
        {
            Live.TryRemove(p.Id, out _);
            KillProcess(p);
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

    private static string UniqueName(string role) => role + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string NewStoreDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "jr-nats-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void KillProcess(Process p)
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
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting as we kill it.
        }

        p.Dispose();
    }

    /// <summary>Starts the process and waits for JetStream; any failure kills the process before it is reported.</summary>
    private async Task StartCheckedAsync(CancellationToken token, Action? processStarted = null)
    {
        try
        {
            StartProcess(token);
            processStarted?.Invoke();
            await WaitForJetStreamAsync(token).ConfigureAwait(false);
        }
        catch
        {
            Kill();
            throw;
        }
    }

    private void StartProcess(CancellationToken token)
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

        _output.Clear();
        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start.");
        Live[process.Id] = process;
        _process = process;

        // Drain its log so a full pipe never blocks it; keep the last lines to say why a start failed.
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 40 && _output.TryDequeue(out _))
        {
        }
    }

    private bool SaysPortInUse() => _output.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase));

    private async Task WaitForJetStreamAsync(CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            token.ThrowIfCancellationRequested();
            if (_process is { HasExited: true } exited)
            {
                exited.WaitForExit(); // the last output lines
                if (SaysPortInUse())
                {
                    throw new NatsPortClashException($"nats-server {Name} could not bind its ports (in use): {string.Join(" | ", _output)}");
                }

                throw new InvalidOperationException($"nats-server {Name} exited with code {exited.ExitCode}: {string.Join(" | ", _output)}");
            }

            try
            {
                await using var connection = new NatsConnection(new NatsOpts { Url = Url, ConnectTimeout = TimeSpan.FromSeconds(2), RequestTimeout = TimeSpan.FromSeconds(2), MaxReconnectRetry = 0 });
                await connection.ConnectAsync().ConfigureAwait(false);

                // Another process may hold the port we were given (the port check is not atomic): only ours counts.
                if (connection.ServerInfo?.Name is { } answering && answering != Name)
                {
                    throw new NatsPortClashException($"port {Port} is served by another nats-server ({answering}), not {Name}");
                }

                await new NatsJSContext(connection).GetAccountInfoAsync(token).ConfigureAwait(false);
                return;
            }
            catch (NatsPortClashException)
            {
                throw;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
            }

            await Task.Delay(100, token).ConfigureAwait(false);
        }

        throw new TimeoutException($"nats-server {Name} on {Url} did not offer JetStream within 30 s: {last?.Message} {string.Join(" | ", _output)}");
    }
}

/// <summary>A nats-server could not use its port because something else holds it: try again on another.</summary>
internal sealed class NatsPortClashException(string message) : Exception(message);
