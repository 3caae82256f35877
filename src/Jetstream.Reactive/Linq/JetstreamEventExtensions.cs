using System.Reactive.Linq;
using System.Text.Json.Serialization.Metadata;
using Jetstream.Reactive.Records;
using Jetstream.Reactive.Records.Internal;

namespace Jetstream.Reactive.Linq;

/// <summary>
/// Filters and typed records for Jetstream event streams, so that a handler per collection is one line of LINQ:
/// <c>events.Records&lt;PostRecord&gt;().Subscribe(p =&gt; …)</c>.
/// </summary>
/// <remarks>
/// Every operator keeps the source's order, threading, errors and completion; it only drops events it does not select.
/// The source is usually <see cref="JetstreamObservable.Connect"/>; since <see cref="IObservable{T}"/> is covariant, the
/// operators also chain on each other's results (<c>events.OfCollection("app.bsky.graph.*").Deletes()</c>).
/// </remarks>
public static class JetstreamEventExtensions
{
    /// <summary>Only the commit events (creates, updates and deletes of records).</summary>
    /// <param name="source">The events.</param>
    /// <returns>The commit events.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<CommitEvent> Commits(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.OfType<CommitEvent>();
    }

    /// <summary>Only the identity events (a DID's handle or DID document changed).</summary>
    /// <param name="source">The events.</param>
    /// <returns>The identity events.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<IdentityEvent> Identities(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.OfType<IdentityEvent>();
    }

    /// <summary>Only the account events (an account was activated, deactivated, taken down, …).</summary>
    /// <param name="source">The events.</param>
    /// <returns>The account events.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<AccountEvent> Accounts(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.OfType<AccountEvent>();
    }

    /// <summary>Only the commits that create a record.</summary>
    /// <param name="source">The events.</param>
    /// <returns>The create commits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<CommitEvent> Creates(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return OfOperation(source, CommitOperation.Create);
    }

    /// <summary>Only the commits that replace a record (profile edits, for example).</summary>
    /// <param name="source">The events.</param>
    /// <returns>The update commits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<CommitEvent> Updates(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return OfOperation(source, CommitOperation.Update);
    }

    /// <summary>Only the commits that delete a record. A delete carries the collection and record key but no record.</summary>
    /// <param name="source">The events.</param>
    /// <returns>The delete commits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<CommitEvent> Deletes(this IObservable<JetstreamEvent> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return OfOperation(source, CommitOperation.Delete);
    }

    /// <summary>
    /// Only the commits in the given collections, with the servers' <c>wantedCollections</c> rules: a full NSID
    /// (<c>app.bsky.feed.post</c>) matches that collection, and a prefix ending in <c>.*</c> (<c>app.bsky.graph.*</c>)
    /// matches every collection that starts with the text before the <c>*</c>, at any depth. Identity and account events
    /// belong to no collection, so they never pass (unlike on the server, which always sends them).
    /// </summary>
    /// <param name="source">The events.</param>
    /// <param name="collections">One or more NSIDs or <c>prefix.*</c> patterns.</param>
    /// <returns>The matching commits, of every operation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="collections"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="collections"/> is empty, or a value is neither an NSID nor a <c>prefix.*</c> pattern.</exception>
    public static IObservable<CommitEvent> OfCollection(this IObservable<JetstreamEvent> source, params string[] collections)
    {
        ArgumentNullException.ThrowIfNull(source);
        var filter = CollectionFilter.Create(collections, nameof(collections));
        return source.OfType<CommitEvent>().Where(e => filter.Matches(e.Commit.Collection));
    }

    /// <summary>
    /// The creates and updates of <typeparamref name="T"/>'s collection (<see cref="IBlueskyRecord{TSelf}.Collection"/>),
    /// each paired with its record deserialized to <typeparamref name="T"/> by source-generated code. Deletes carry no
    /// record and are left out (use <c>Deletes().OfCollection(…)</c>).
    /// </summary>
    /// <remarks>
    /// A record that does not deserialize is skipped: it is counted in <c>jetstream.client.records.invalid</c>, logged at
    /// Debug to <see cref="RecordOptions.Logger"/> and passed to <see cref="RecordOptions.OnError"/>. It never ends the
    /// stream. Only an exception from <see cref="RecordOptions.OnError"/> itself, or an error of the source, does.
    /// </remarks>
    /// <typeparam name="T">A record type such as <see cref="PostRecord"/>, <see cref="LikeRecord"/> or <see cref="FollowRecord"/>.</typeparam>
    /// <param name="source">The events.</param>
    /// <param name="options">Where skipped records are reported; default: only the counter.</param>
    /// <returns>The records with their commits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static IObservable<RecordEvent<T>> Records<T>(this IObservable<JetstreamEvent> source, RecordOptions? options = null)
        where T : class, IBlueskyRecord<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return RecordsCore(source, CollectionFilter.Create([T.Collection], nameof(T)), T.JsonTypeInfo, options);
    }

    /// <summary>
    /// <see cref="Records{T}(IObservable{JetstreamEvent}, RecordOptions?)"/> with a callback for the records that are
    /// skipped because they do not deserialize.
    /// </summary>
    /// <typeparam name="T">A record type such as <see cref="PostRecord"/>.</typeparam>
    /// <param name="source">The events.</param>
    /// <param name="onError">Called with each skipped record; an exception it throws ends the sequence.</param>
    /// <returns>The records with their commits.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IObservable<RecordEvent<T>> Records<T>(this IObservable<JetstreamEvent> source, Action<RecordError> onError)
        where T : class, IBlueskyRecord<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(onError);
        return RecordsCore(source, CollectionFilter.Create([T.Collection], nameof(T)), T.JsonTypeInfo, new RecordOptions { OnError = onError });
    }

    /// <summary>
    /// The creates and updates of the given collections, each paired with its record deserialized with
    /// <paramref name="typeInfo"/>: for record types of your own, such as those of other lexicons. Records that do not
    /// deserialize are skipped and reported as in <see cref="Records{T}(IObservable{JetstreamEvent}, RecordOptions?)"/>.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="source">The events.</param>
    /// <param name="collection">A collection NSID, or a <c>prefix.*</c> pattern as in <see cref="OfCollection"/>.</param>
    /// <param name="typeInfo">Source-generated metadata for <typeparamref name="T"/>, from your <c>JsonSerializerContext</c>.</param>
    /// <param name="options">Where skipped records are reported; default: only the counter.</param>
    /// <returns>The records with their commits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="collection"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="collection"/> is neither an NSID nor a <c>prefix.*</c> pattern.</exception>
    public static IObservable<RecordEvent<T>> Records<T>(this IObservable<JetstreamEvent> source, string collection, JsonTypeInfo<T> typeInfo, RecordOptions? options = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!Identifiers.Nsid.IsValidFilter(collection))
        {
            throw new ArgumentException(
                $"'{collection}' must be a full NSID such as 'app.bsky.feed.post' or a prefix ending in '.*' such as 'app.bsky.graph.*'.",
                nameof(collection));
        }

        return RecordsCore(source, CollectionFilter.Create([collection], nameof(collection)), typeInfo, options);
    }

    private static IObservable<RecordEvent<T>> RecordsCore<T>(IObservable<JetstreamEvent> source, CollectionFilter filter, JsonTypeInfo<T> typeInfo, RecordOptions? options)
        where T : class
    {
        var reader = new RecordReader<T>(filter, typeInfo, options);
        return Observable.Create<RecordEvent<T>>(observer => source.Subscribe(new RecordObserver<T>(observer, reader)));
    }

    private static IObservable<CommitEvent> OfOperation(IObservable<JetstreamEvent> source, CommitOperation operation) =>
        source.OfType<CommitEvent>().Where(e => e.Commit.Operation == operation);
}
