using NUnit.Framework;

namespace Jetstream.Reactive.Hosting.Tests;

/// <summary>Removes the cursor files the tests wrote (<see cref="TestHosts.TempCursorFile"/>) after the run.</summary>
[SetUpFixture]
public sealed class TempFiles
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "jetstream-hosting-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [OneTimeTearDown]
    public void RemoveCursorFiles()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
