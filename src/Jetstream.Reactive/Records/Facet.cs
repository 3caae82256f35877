namespace Jetstream.Reactive.Records;

/// <summary>
/// Rich-text annotation of part of a text (<c>app.bsky.richtext.facet</c>): a mention, a link or a hashtag over a
/// UTF-8 byte range.
/// </summary>
public sealed record Facet
{
    /// <summary>The annotated range, in UTF-8 bytes (<c>index</c>).</summary>
    public required ByteSlice Index { get; init; }

    /// <summary>
    /// What the range is (<c>features</c>): <see cref="MentionFeature"/>, <see cref="LinkFeature"/>,
    /// <see cref="TagFeature"/>, or <see cref="UnknownFacetFeature"/> for other types.
    /// </summary>
    public required IReadOnlyList<FacetFeature> Features { get; init; }

    /// <summary>The annotated text: <see cref="ByteSlice.GetText(string)"/> of <see cref="Index"/>.</summary>
    /// <param name="text">The text the facet belongs to.</param>
    /// <returns>The covered text, or <see langword="null"/> when the range does not fit the text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public string? GetText(string text) => Index.GetText(text);
}
