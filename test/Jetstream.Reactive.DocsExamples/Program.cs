namespace Jetstream.Reactive.DocsExamples;

internal static class Program
{
    private static void Main()
    {
    }
}
