namespace Jetstream.Reactive.DocsExamples;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args is ["check-snippets"] or ["update-snippets"])
        {
            return Snippets.Run(update: args[0] == "update-snippets");
        }

        Console.WriteLine("The code README.md and docs/*.md quote. It is compiled with the solution; the NUnit examples of docs/testing.md run with dotnet test.");
        Console.WriteLine("usage: dotnet run --project test/Jetstream.Reactive.DocsExamples -- check-snippets | update-snippets");
        return args.Length == 0 ? 0 : 2;
    }
}
