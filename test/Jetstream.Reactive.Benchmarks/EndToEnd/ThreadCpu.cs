using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Jetstream.Reactive.Benchmarks.EndToEnd;

/// <summary>
/// CPU time of the calling thread, so the server can report its own cost per connection apart from everything else in
/// the harness process. Linux: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>, nanosecond resolution; elsewhere the
/// whole process's time (an over-estimate, which only makes the refusal rule stricter).
/// </summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    public static TimeSpan Now()
    {
        if (OperatingSystem.IsLinux() && NativeMethods.ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0)
        {
            return TimeSpan.FromTicks((ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100));
        }

        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "clock_gettime")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int ClockGetTime(int clockId, out TimeSpec time);
    }
}
