using System.Text.Json.Serialization.Metadata;

namespace Jetstream.Reactive.Records;

/// <summary>
/// A typed record of one collection. The LINQ operator <c>Records&lt;T&gt;()</c> finds the collection and the
/// source-generated metadata through these static members, so any type that implements the interface, yours included,
/// can be read that way.
/// </summary>
/// <typeparam name="TSelf">The record type itself.</typeparam>
public interface IBlueskyRecord<TSelf>
    where TSelf : class, IBlueskyRecord<TSelf>
{
    /// <summary>The collection NSID the record type belongs to, such as <c>app.bsky.feed.post</c>.</summary>
    static abstract string Collection { get; }

    /// <summary>Source-generated serialization metadata for the type.</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }
}
