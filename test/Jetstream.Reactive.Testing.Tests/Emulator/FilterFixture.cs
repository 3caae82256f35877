using System.Text.Json.Nodes;
using Jetstream.Reactive.Testing;

namespace Jetstream.Reactive.Testing.Tests.Emulator;

/// <summary>
/// Eight events across two DIDs, collections and kinds, each named by a letter (commits by their rkey), and a marker
/// event that every filter in the tests lets through: publish the marker after the expected events and everything a
/// filter wrongly let through shows up before it.
/// </summary>
internal static class FilterFixture
{
    public const string DidA = TestEvents.DefaultDid;
    public const string DidB = "did:plc:vfnmgxg2yscfliemmcxzyfyh";

    public static readonly string[] Events =
    [
        TestEvents.Post("hello", rkey: "a", did: DidA),
        TestEvents.Like(rkey: "b", did: DidB),
        TestEvents.Commit("app.bsky.graph.follow", rkey: "c", did: DidA),
        TestEvents.Commit("app.bsky.graph.block", rkey: "d", did: DidB),
        TestEvents.Identity(DidA),
        TestEvents.Account(DidB),
        TestEvents.Commit("fm.teal.alpha.actor.status", rkey: "g", did: DidA),
        TestEvents.Commit("app.bsky.graph.listitem", rkey: "h", did: DidB),
    ];

    /// <summary>An identity event of <see cref="DidA"/>: collection filters never hold it back.</summary>
    public static readonly string Marker = TestEvents.Identity(DidA, handle: "marker.test");

    /// <summary>A letter for a v1 event: the rkey of a commit, <c>e</c> for the identity, <c>f</c> for the account, <c>marker</c>.</summary>
    public static string Name(JsonNode e) => e["kind"]!.GetValue<string>() switch
    {
        "commit" => e["commit"]!["rkey"]!.GetValue<string>(),
        "identity" when e["identity"]!["handle"] is not null => "marker",
        "identity" => "e",
        "account" => "f",
        var other => other,
    };

    /// <summary>Letters of the frames up to and including the marker.</summary>
    public static async Task<List<string>> ReceiveUntilMarkerAsync(WireClient client, Func<WireMessage, JsonNode> decode, CancellationToken token)
    {
        var names = new List<string>();
        while (names.LastOrDefault() != "marker")
        {
            names.Add(Name(decode(await client.ReceiveDataAsync(token))));
        }

        return names;
    }

    public static Task<List<string>> ReceiveUntilMarkerAsync(WireClient client, CancellationToken token) =>
        ReceiveUntilMarkerAsync(client, m => m.Json, token);
}
