using System.Text;
using System.Text.RegularExpressions;

namespace Jetstream.Reactive.DocsExamples;

/// <summary>
/// Keeps the docs' code blocks equal to the regions of this project and of the hosting sample worker marked
/// <c>// begin-snippet: name</c> … <c>// end-snippet</c>, in <c>.cs</c> files and in <c>.json</c> files (which the
/// configuration loader reads with comments). A block is quoted in Markdown as <c>&lt;!-- snippet: name --&gt;</c>
/// followed by a <c>```csharp</c> or <c>```json</c> fence. Works on files only; nothing here touches the network.
/// </summary>
internal static partial class Snippets
{
    private static readonly string[] ProjectDirectories = ["test/Jetstream.Reactive.DocsExamples", "src/Jetstream.Reactive.Hosting.Sample"];

    public static int Run(bool update)
    {
        var root = FindRoot();
        if (root is null)
        {
            Console.Error.WriteLine("Run this from inside the repository (no Jetstream.Reactive.sln above the current directory).");
            return 2;
        }

        var problems = new List<string>();
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in ProjectDirectories)
        {
            ReadRegions(Path.Combine(root, directory), regions, problems);
        }

        var markdown = new List<string> { Path.Combine(root, "README.md") };
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            markdown.AddRange(Directory.GetFiles(docs, "*.md").Order(StringComparer.Ordinal));
        }

        var quoted = 0;
        foreach (var file in markdown.Where(File.Exists))
        {
            var text = File.ReadAllText(file);
            var relative = Path.GetRelativePath(root, file);
            var changed = QuoteRegex().Replace(text, match =>
            {
                var name = match.Groups["name"].Value;
                quoted++;
                if (!regions.TryGetValue(name, out var code))
                {
                    problems.Add($"{relative}: no region named '{name}' in {string.Join(" or ", ProjectDirectories)}");
                    return match.Value;
                }

                if (match.Groups["code"].Value != code)
                {
                    if (!update)
                    {
                        problems.Add($"{relative}: snippet '{name}' differs from the code; run update-snippets");
                    }

                    return match.Groups["head"].Value + code + match.Groups["tail"].Value;
                }

                return match.Value;
            });

            if (update && changed != text)
            {
                File.WriteAllText(file, changed);
                Console.WriteLine($"updated {relative}");
            }
        }

        // A check that finds nothing to compare proves nothing: a moved folder, a renamed marker or a broken pattern would
        // otherwise pass quietly.
        if (regions.Count == 0)
        {
            problems.Add($"no '// begin-snippet:' region found in {string.Join(" or ", ProjectDirectories)}");
        }

        if (quoted == 0)
        {
            problems.Add("no '<!-- snippet: name -->' quote found in README.md or docs/*.md");
        }

        foreach (var problem in problems)
        {
            Console.Error.WriteLine(problem);
        }

        Console.WriteLine($"{regions.Count} regions, {quoted} quotes, {problems.Count} problems");
        return problems.Count == 0 ? 0 : 1;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Jetstream.Reactive.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static void ReadRegions(string directory, Dictionary<string, string> regions, List<string> problems)
    {
        var files = Directory.GetFiles(directory, "*.cs").Concat(Directory.GetFiles(directory, "*.json")).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string? name = null;
            var lines = new List<string>();
            foreach (var line in File.ReadAllLines(file))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("// begin-snippet: ", StringComparison.Ordinal))
                {
                    name = trimmed["// begin-snippet: ".Length..].Trim();
                    lines.Clear();
                }
                else if (trimmed == "// end-snippet" && name is not null)
                {
                    if (!regions.TryAdd(name, Dedent(lines)))
                    {
                        problems.Add($"{Path.GetFileName(file)}: region '{name}' is defined twice");
                    }

                    name = null;
                }
                else if (name is not null)
                {
                    lines.Add(line);
                }
            }

            if (name is not null)
            {
                problems.Add($"{Path.GetFileName(file)}: region '{name}' has no end-snippet");
            }
        }
    }

    private static string Dedent(List<string> lines)
    {
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart(' ').Length).DefaultIfEmpty(0).Min();
        var sb = new StringBuilder();
        foreach (var line in lines)
        {
            sb.Append(line.Length >= indent ? line[indent..] : line.TrimStart(' ')).Append('\n');
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"(?<head><!-- snippet: (?<name>[A-Za-z0-9_-]+) -->\n```(?:csharp|json)\n)(?<code>.*?)(?<tail>```\n)", RegexOptions.Singleline)]
    private static partial Regex QuoteRegex();
}
