namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// <c>selfcheck</c> (also the first step of <c>e2e --smoke</c>): pins each refusal rule of <see cref="RunValidity"/> on
/// made-up rows, so CI fails when a rule stops refusing what it must refuse or starts refusing a sound run.
/// </summary>
internal static class RunValiditySelfCheck
{
    public static int Run()
    {
        // A sound run: ceiling 800k events/s at 1.5 µs CPU; the server at 0.2 µs (13 %); the library at 40 % of it.
        var ceiling = Row("raw-v1-text", WireForm.V1Text, eventsPerSecond: 800_000, clientCpu: 1.5, serverCpu: 0.2);
        var library = Row("library-v1-text", WireForm.V1Text, eventsPerSecond: 320_000, clientCpu: 6.0, serverCpu: 0.2);
        var zstdCeiling = Row("raw-v1-zstd", WireForm.V1Zstd, eventsPerSecond: 900_000, clientCpu: 1.2, serverCpu: 0.1);
        var zstd = Row("library-v1-zstd", WireForm.V1Zstd, eventsPerSecond: 200_000, clientCpu: 8.0, serverCpu: 0.1);
        var serverLimit = RunValidity.MaxServerCpuShare * 1.5;
        var cases = new (string Name, ClientResult[] Rows, string? Refused)[]
        {
            ("a sound run is accepted", [ceiling, library, zstdCeiling, zstd], null),
            ("the server at exactly the allowed share is accepted", [ceiling with { ServerCpuMicrosecondsPerEvent = serverLimit }, library], null),
            ("a client within the noise margin above the ceiling is accepted", [ceiling, library with { Seconds = 1 / (800_000 * (1 + (RunValidity.CeilingNoiseMargin / 2))) * library.Events }], null),
            ("a costly server on the ceiling row is refused", [ceiling with { ServerCpuMicrosecondsPerEvent = serverLimit * 1.05 }, library], "raw-v1-text: the server spent"),
            ("a costly server on a client row is refused", [ceiling, library with { ServerCpuMicrosecondsPerEvent = 5.0 }], "library-v1-text: the server spent"),
            ("a client beating the ceiling beyond the margin is refused", [ceiling, library with { Seconds = 1 / (800_000 * (1 + (RunValidity.CeilingNoiseMargin * 2))) * library.Events }], "beats the bare ClientWebSocket ceiling"),
            ("the old BlastServer result (library at 121 % of raw) is refused", [ceiling with { Seconds = library.Events / 423_889.0, ServerCpuMicrosecondsPerEvent = 0.2 }, library with { Seconds = library.Events / 514_770.0 }], "beats the bare ClientWebSocket ceiling"),
            ("a row whose wire form has no ceiling is refused", [ceiling, zstd], "no ceiling row"),
            ("a row the server has no figure for is refused", [ceiling, library with { ServerCpuMicrosecondsPerEvent = null }], "recorded no completed connection"),
        };

        var failed = 0;
        foreach (var (name, rows, refused) in cases)
        {
            var refusals = RunValidity.Refusals(rows);
            var ok = refused is null ? refusals.Count == 0 : refusals.Count > 0 && refusals.All(r => r.Contains(refused, StringComparison.Ordinal));
            failed += ok ? 0 : 1;
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")}  selfcheck: {name}{(ok ? "" : $" (refusals: {(refusals.Count == 0 ? "none" : string.Join("; ", refusals))})")}");
        }

        Console.WriteLine(failed == 0 ? $"selfcheck: all {cases.Length} refusal-rule cases hold" : $"selfcheck: {failed} of {cases.Length} refusal-rule cases FAILED");
        return failed == 0 ? 0 : 1;
    }

    private static ClientResult Row(string client, WireForm form, double eventsPerSecond, double clientCpu, double serverCpu) => new()
    {
        Client = client,
        Form = form,
        Events = 300_000,
        Seconds = 300_000 / eventsPerSecond,
        CpuSeconds = clientCpu * 300_000 / 1e6,
        ServerCpuMicrosecondsPerEvent = serverCpu,
    };
}
