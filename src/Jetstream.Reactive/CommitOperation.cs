namespace Jetstream.Reactive;

/// <summary>What a commit did to a record (<c>commit.operation</c>).</summary>
public enum CommitOperation
{
    /// <summary>The record was created (<c>"create"</c>); <see cref="JetstreamCommit.Record"/> is present.</summary>
    Create,

    /// <summary>The record was replaced (<c>"update"</c>); <see cref="JetstreamCommit.Record"/> is present.</summary>
    Update,

    /// <summary>The record was deleted (<c>"delete"</c>); there is no record and no CID.</summary>
    Delete,
}
