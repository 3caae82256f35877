namespace Jetstream.Reactive;

/// <summary>
/// One problem found by an options check: which setting (<see cref="Path"/>) and what is wrong with it
/// (<see cref="Problem"/>), so that a host can name the setting its own way (a configuration key, a command-line flag)
/// without parsing <see cref="Message"/>.
/// </summary>
public sealed class JetstreamOptionError
{
    /// <summary>Creates an error.</summary>
    /// <param name="owner">The options type checked, as messages name it: <c>JetstreamOptions</c>, <c>JetstreamFilter</c>.</param>
    /// <param name="path">The setting's path from <paramref name="owner"/> in C# form (<c>Endpoints[1]</c>, <c>Backoff.MaxDelay</c>), or empty for the whole value.</param>
    /// <param name="problem">The rest of the sentence after the setting's name: its value and what is allowed (<c>is 0; it must be between 1 and 1,000.</c>).</param>
    public JetstreamOptionError(string owner, string path, string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentException.ThrowIfNullOrEmpty(problem);
        Owner = owner;
        Path = path;
        Problem = problem;
    }

    /// <summary>The options type checked: <c>JetstreamOptions</c>, <c>JetstreamFilter</c>, <c>JetstreamBackfillOptions</c>.</summary>
    public string Owner { get; }

    /// <summary>
    /// The setting's path from <see cref="Owner"/>: a property name, <c>.</c> into a nested value and <c>[i]</c> into a
    /// list (<c>Endpoints[1]</c>, <c>Backoff.MaxDelay</c>, <c>WantedCollections[0]</c>); empty when the whole value is wrong.
    /// </summary>
    public string Path { get; }

    /// <summary>The value and what is allowed, as the sentence goes on after the setting's name (<c>is 0; it must be …</c>).</summary>
    public string Problem { get; }

    /// <summary>The whole sentence: the setting's qualified name (<c>JetstreamOptions.Endpoints[1]</c>), then <see cref="Problem"/>.</summary>
    public string Message => NameAs(Path.Length == 0 ? Owner : $"{Owner}.{Path}");

    /// <summary>The sentence with the setting called <paramref name="name"/> (a configuration key, a command-line flag).</summary>
    /// <param name="name">What to call the setting.</param>
    /// <returns><paramref name="name"/>, a space, then <see cref="Problem"/>.</returns>
    public string NameAs(string name) => $"{name} {Problem}";

    /// <summary>The same problem seen from an enclosing options type: <c>Live</c> + <c>Endpoints[1]</c> is <c>Live.Endpoints[1]</c>.</summary>
    /// <param name="owner">The enclosing options type.</param>
    /// <param name="property">The property of <paramref name="owner"/> that holds the checked value.</param>
    /// <returns>The error with <see cref="Owner"/> and <see cref="Path"/> from the enclosing type.</returns>
    public JetstreamOptionError Under(string owner, string property) =>
        new(owner, Path.Length == 0 ? property : Path[0] == '[' ? property + Path : $"{property}.{Path}", Problem);

    /// <returns><see cref="Message"/>.</returns>
    public override string ToString() => Message;
}
