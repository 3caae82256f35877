namespace Jetstream.Reactive;

/// <summary>The kind of a Jetstream event: the <c>kind</c> field of a v1 frame, the <c>$type</c> of a v2 message.</summary>
public enum JetstreamEventKind
{
    /// <summary>A repository commit operation (<c>"kind":"commit"</c>).</summary>
    Commit,

    /// <summary>An identity change: refresh the DID document and handle (<c>"kind":"identity"</c>).</summary>
    Identity,

    /// <summary>An account status change (<c>"kind":"account"</c>).</summary>
    Account,

    /// <summary>A repository's history diverged and must be re-synced (v2 <c>#sync</c>; v1 never sends it).</summary>
    Sync,
}
