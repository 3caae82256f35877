namespace Jetstream.Reactive.Diagnostics;

/// <summary>
/// Runs telemetry (logs, counters) so that a failing log provider or <c>MeterListener</c> cannot change what the
/// connection does: a notice that throws is dropped, the retry, the reader and the cursor saves go on.
/// </summary>
internal static class TelemetryGuard
{
    /// <summary>Wraps <paramref name="notice"/> so that its exceptions are dropped.</summary>
    public static Action<T> Wrap<T>(Action<T> notice) => value => Run(notice, value);

    /// <summary>Wraps <paramref name="notice"/> so that its exceptions are dropped.</summary>
    public static Action<T1, T2> Wrap<T1, T2>(Action<T1, T2> notice) => (first, second) => Run(n => notice(n.First, n.Second), (First: first, Second: second));

    /// <summary>Runs <paramref name="notice"/>, dropping its exception.</summary>
    public static void Run<T>(Action<T> notice, T value)
    {
        try
        {
            notice(value);
        }
#pragma warning disable CA1031 // See the summary: telemetry never decides the stream's fate.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
