namespace Jetstream.Reactive.Connection;

/// <summary>Ends a v2 connection so that the next one carries the new filter; retried at once, never reported.</summary>
internal sealed class FilterChangedException : JetstreamException
{
    public FilterChangedException()
        : base("The filter changed; reconnecting with the new one.")
    {
    }
}
