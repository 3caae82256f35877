using System.Runtime.CompilerServices;

namespace Jetstream.Reactive.Tests.Docs;

/// <summary>
/// Reads the pipe tables of the repository's Markdown docs, so tests can compare them with the code. A table is known
/// by the heading it sits under and the text of its first header cell. Shared (as a linked file) with the hosting tests.
/// </summary>
internal static class MarkdownTables
{
    /// <summary>The repository root, found through this source file's path (the tests need the source tree, as any checkout has).</summary>
    public static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        var directory = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Jetstream.Reactive.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Jetstream.Reactive.sln above {sourceFile}");
    }

    /// <summary>Every table of <paramref name="doc"/> (a path relative to the repository root, such as <c>docs/telemetry.md</c>).</summary>
    public static IReadOnlyList<Table> Read(string doc)
    {
        var tables = new List<Table>();
        var heading = "";
        List<string>? header = null;
        List<IReadOnlyList<string>>? rows = null;
        var inCode = false;
        foreach (var raw in File.ReadLines(Path.Combine(RepositoryRoot(), doc)))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
            }

            if (inCode || !line.StartsWith('|'))
            {
                if (header is not null)
                {
                    tables.Add(new Table(doc, heading, header, rows!));
                    header = null;
                }

                if (!inCode && line.StartsWith('#'))
                {
                    heading = line.TrimStart('#').Trim();
                }

                continue;
            }

            var cells = Cells(line);
            if (header is null)
            {
                header = cells;
                rows = [];
            }
            else if (!cells.All(c => c.Length > 0 && c.All(ch => ch is '-' or ':')))
            {
                rows!.Add(cells);
            }
        }

        if (header is not null)
        {
            tables.Add(new Table(doc, heading, header, rows!));
        }

        return tables;
    }

    /// <summary>The one table under <paramref name="heading"/> whose first header cell is <paramref name="firstHeader"/>.</summary>
    public static Table Find(string doc, string heading, string firstHeader)
    {
        var found = Read(doc).Where(t => t.Heading == heading && t.Header[0] == firstHeader).ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"{doc}: expected one table under '{heading}' whose first column is '{firstHeader}', found {found.Count}");
    }

    /// <summary>
    /// The names a cell gives in backticks, such as <c>`Foo`</c> or <c>`Foo`, `Bar`</c>. Text outside backticks is
    /// ignored, so a cell may say more than the names.
    /// </summary>
    public static IReadOnlyList<string> CodeNames(string cell)
    {
        var names = new List<string>();
        var parts = cell.Split('`');
        for (var i = 1; i < parts.Length; i += 2)
        {
            names.Add(parts[i]);
        }

        return names;
    }

    private static List<string> Cells(string line)
    {
        // An escaped pipe (\|) belongs to the cell; the table's own pipes split it.
        var cells = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '|')
            {
                current.Append('|');
                i++;
            }
            else if (line[i] == '|')
            {
                cells.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(line[i]);
            }
        }

        return cells;
    }

    /// <summary>One table: where it is, its header cells and its rows' cells.</summary>
    internal sealed record Table(string Doc, string Heading, IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
    {
        /// <summary>How a failure message names this table.</summary>
        public string Where => $"{Doc} (the table under '{Heading}')";
    }
}
