using System.Reflection;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using PublicApiGenerator;

namespace Jetstream.Reactive.Tests.Api;

/// <summary>
/// The public API baseline check every shipped package's tests use (linked into each test project): the generated API
/// of an assembly must equal the checked-in <c>*.approved.txt</c> beside the calling test file.
/// </summary>
/// <remarks>
/// To accept an intended change, run the test once with <c>JETSTREAM_UPDATE_API=1</c>, which rewrites the approved file
/// instead of comparing, then review and commit its diff, for example:
/// <code>JETSTREAM_UPDATE_API=1 dotnet test test/Jetstream.Reactive.Tests --filter FullyQualifiedName~PublicApiTests</code>
/// The file is found through the path of the calling source file (<see cref="CallerFilePathAttribute"/>), so the test
/// needs the source tree, as it has in any checkout.
/// </remarks>
internal static class ApiBaseline
{
    private const string UpdateVariable = "JETSTREAM_UPDATE_API";

    public static void Verify(Assembly assembly, string approvedFileName, [CallerFilePath] string callerFile = "")
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
        var actual = Normalize(assembly.GeneratePublicApi(options));
        var path = Path.Combine(Path.GetDirectoryName(callerFile)!, approvedFileName);

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
            $"The public API of {assembly.GetName().Name} changed. If that is intended, run the tests with {UpdateVariable}=1 and commit the updated {approvedFileName}.");
    }

    // Line endings follow the checkout (core.autocrlf), not the API; one trailing newline keeps the file POSIX-clean.
    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";
}
