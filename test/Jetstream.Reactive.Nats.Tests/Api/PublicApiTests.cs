using System.Runtime.CompilerServices;
using NUnit.Framework;
using PublicApiGenerator;

namespace Jetstream.Reactive.Nats.Tests.Api;

/// <summary>
/// Guards the public API against accidental changes: the generated API must equal the checked-in
/// <c>Jetstream.Reactive.Nats.approved.txt</c> next to this file.
/// </summary>
/// <remarks>
/// To accept an intended change, run the tests once with <c>JETSTREAM_UPDATE_API=1</c>, which rewrites the approved
/// file instead of comparing, then review and commit its diff:
/// <code>JETSTREAM_UPDATE_API=1 dotnet test test/Jetstream.Reactive.Nats.Tests --filter FullyQualifiedName~PublicApiTests</code>
/// The file is found through the path of this source file (<see cref="CallerFilePathAttribute"/>), so the test needs
/// the source tree, as it has in any checkout.
/// </remarks>
[TestFixture]
public sealed class PublicApiTests
{
    private const string UpdateVariable = "JETSTREAM_UPDATE_API";

    [Test]
    public void GeneratePublicApi_NatsAssembly_MatchesApprovedBaseline()
    {
        var options = new ApiGeneratorOptions
        {
            // Assembly attributes that describe the build (target framework, AOT/trimming metadata, test access),
            // not the API; PublicApiGenerator already leaves out the version and company attributes.
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
            ],
        };
        var actual = Normalize(typeof(JetstreamNatsRelay).Assembly.GeneratePublicApi(options));
        var path = ApprovedFilePath();

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Pass($"{UpdateVariable}=1: wrote {path}; review and commit the diff.");
        }

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run the tests with {UpdateVariable}=1 to create it.");
        var approved = Normalize(File.ReadAllText(path));
        Assert.That(
            actual,
            Is.EqualTo(approved),
            $"The public API changed. If that is intended, run the tests with {UpdateVariable}=1 and commit the updated {Path.GetFileName(path)}.");
    }

    private static string ApprovedFilePath([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Jetstream.Reactive.Nats.approved.txt");

    // Line endings follow the checkout (core.autocrlf), not the API; one trailing newline keeps the file POSIX-clean.
    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
