using System.Runtime.CompilerServices;
using NUnit.Framework;
using PublicApiGenerator;

namespace Jetstream.Reactive.Hosting.Tests.Api;

/// <summary>
/// Guards the hosting package's public API: the generated API must equal the checked-in
/// <c>Jetstream.Reactive.Hosting.approved.txt</c> next to this file. To accept an intended change, run
/// <c>JETSTREAM_UPDATE_API=1 dotnet test test/Jetstream.Reactive.Hosting.Tests --filter FullyQualifiedName~PublicApiTests</c>
/// and commit the diff.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class PublicApiTests
{
    private const string UpdateVariable = "JETSTREAM_UPDATE_API";

    [Test]
    public void GeneratePublicApi_HostingAssembly_MatchesApprovedBaseline()
    {
        var options = new ApiGeneratorOptions
        {
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute",
                "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
            ],
        };
        var actual = Normalize(typeof(JetstreamBuilder).Assembly.GeneratePublicApi(options));
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
            $"The public API changed. If that is intended, run the tests with {UpdateVariable}=1 and commit the updated {Path.GetFileName(path)}.");
    }

    private static string ApprovedFilePath([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Jetstream.Reactive.Hosting.approved.txt");

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
