namespace Jetstream.Reactive;

/// <summary>The kind of a Jetstream event, from the <c>kind</c> field of a v1 frame.</summary>
public enum JetstreamEventKind
{
    /// <summary>A repository commit operation (<c>"kind":"commit"</c>).</summary>
    Commit,

    /// <summary>An identity change: refresh the DID document and handle (<c>"kind":"identity"</c>).</summary>
    Identity,

    /// <summary>An account status change (<c>"kind":"account"</c>).</summary>
    Account,
}
