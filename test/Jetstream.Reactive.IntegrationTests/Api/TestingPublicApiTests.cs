using System.Runtime.CompilerServices;
using Jetstream.Reactive.Testing;
using NUnit.Framework;
using PublicApiGenerator;

namespace Jetstream.Reactive.IntegrationTests.Api;

/// <summary>
/// Guards the public API of the shipped emulator package, Jetstream.Reactive.Testing, as the library's own baseline
/// does: the generated API must equal the checked-in <c>Jetstream.Reactive.Testing.approved.txt</c> next to this file.
/// </summary>
/// <remarks>
/// To accept an intended change, run the tests once with <c>JETSTREAM_UPDATE_API=1</c>, then review and commit the diff:
/// <code>JETSTREAM_UPDATE_API=1 dotnet test test/Jetstream.Reactive.IntegrationTests --filter FullyQualifiedName~TestingPublicApiTests</code>
/// </remarks>
[TestFixture]
public sealed class TestingPublicApiTests
{
    private const string UpdateVariable = "JETSTREAM_UPDATE_API";

    [Test]
    public void GeneratePublicApi_TestingAssembly_MatchesApprovedBaseline()
    {
        var options = new ApiGeneratorOptions
        {
            // Build metadata, not API (as in the library's baseline).
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
            ],
        };
        var actual = Normalize(typeof(ConnectionScript).Assembly.GeneratePublicApi(options));
        var path = ApprovedFilePath();

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Pass($"{UpdateVariable}=1: wrote {path}; review and commit the diff.");
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run the tests with {UpdateVariable}=1 to create it.");
        Assert.That(
            actual,
            Is.EqualTo(Normalize(File.ReadAllText(path))),
            $"The public API of Jetstream.Reactive.Testing changed. If that is intended, run the tests with {UpdateVariable}=1 and commit the updated {Path.GetFileName(path)}.");
    }

    private static string ApprovedFilePath([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Jetstream.Reactive.Testing.approved.txt");

    // Line endings follow the checkout (core.autocrlf), not the API; one trailing newline keeps the file POSIX-clean.
    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
