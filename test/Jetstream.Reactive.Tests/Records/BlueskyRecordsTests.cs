using System.Text.Json;
using Jetstream.Reactive.Records;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Records;

/// <summary>
/// Every real event in TestData through the registry: each record of a modelled collection deserializes to its type,
/// and its fields equal an independent <see cref="JsonDocument"/> reading of the same line.
/// </summary>
public sealed class BlueskyRecordsTests
{
    private static IEnumerable<TestCaseData> RealCommitsWithRecords() =>
        RealEvents.All
            .Where(e => e.Event is CommitEvent { Commit.HasRecord: true })
            .Select(e => new TestCaseData(e.Source).SetArgDisplayNames(e.Source));

    [TestCaseSource(nameof(RealCommitsWithRecords))]
    public void Deserialize_RealCommit_MatchesIndependentParse(string source)
    {
        var (_, json, e) = RealEvents.All.Single(x => x.Source == source);
        var commit = ((CommitEvent)e).Commit;
        using var document = JsonDocument.Parse(json);
        var raw = document.RootElement.GetProperty("commit").GetProperty("record");

        var record = BlueskyRecords.Deserialize(commit);

        if (!BlueskyRecords.TryGetTypeInfo(commit.Collection, out var typeInfo))
        {
            Assert.That(record, Is.Null, "collections without a type here give null");
            return;
        }

        Assert.That(record, Is.Not.Null.And.TypeOf(typeInfo.Type));
        switch (record)
        {
            case PostRecord post:
                AssertPost(post, raw);
                break;
            case LikeRecord like:
                AssertStrongRef(like.Subject, raw.GetProperty("subject"));
                AssertOptionalStrongRef(like.Via, raw, "via");
                Assert.That(like.CreatedAt, Is.EqualTo(Date(raw)));
                break;
            case RepostRecord repost:
                AssertStrongRef(repost.Subject, raw.GetProperty("subject"));
                AssertOptionalStrongRef(repost.Via, raw, "via");
                Assert.That(repost.CreatedAt, Is.EqualTo(Date(raw)));
                break;
            case FollowRecord follow:
                Assert.That(follow.Subject, Is.EqualTo(raw.GetProperty("subject").GetString()));
                Assert.That(follow.CreatedAt, Is.EqualTo(Date(raw)));
                break;
            case BlockRecord block:
                Assert.That(block.Subject, Is.EqualTo(raw.GetProperty("subject").GetString()));
                Assert.That(block.CreatedAt, Is.EqualTo(Date(raw)));
                break;
            case ProfileRecord profile:
                Assert.That(profile.DisplayName, Is.EqualTo(raw.GetProperty("displayName").GetString()));
                Assert.That(profile.Description, Is.EqualTo(raw.GetProperty("description").GetString()));
                AssertBlob(profile.Avatar!, raw.GetProperty("avatar"));
                AssertBlob(profile.Banner!, raw.GetProperty("banner"));
                AssertOptionalStrongRef(profile.PinnedPost, raw, "pinnedPost");
                break;
            default:
                Assert.Fail($"no check written for {record!.GetType().Name}; add one");
                break;
        }
    }

    [Test]
    public void Deserialize_AllRealCommits_CoverEveryTypeInTheCaptures()
    {
        var counts = RealEvents.Commits
            .Select(e => BlueskyRecords.Deserialize(e.Commit))
            .OfType<object>()
            .GroupBy(r => r.GetType().Name)
            .ToDictionary(g => g.Key, g => g.Count());

        // Counted with an independent script over the four files; the statuses and other lexicons have no type here.
        Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["LikeRecord"] = 107,
            ["PostRecord"] = 19,
            ["RepostRecord"] = 16,
            ["FollowRecord"] = 7,
            ["BlockRecord"] = 2,
            ["ProfileRecord"] = 1,
        }));
    }

    [Test]
    public void Deserialize_DeleteOrUnmodelledCollection_ReturnsNull()
    {
        var delete = RealEvents.Commits.First(e => e.Commit.Operation == CommitOperation.Delete && e.Commit.Collection == "app.bsky.graph.follow");
        var other = RealEvents.Commits.First(e => e.Commit.Collection == "place.stream.broadcast.origin");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(BlueskyRecords.Deserialize(delete.Commit), Is.Null);
            Assert.That(BlueskyRecords.Deserialize(other.Commit), Is.Null);
            Assert.That(() => BlueskyRecords.Deserialize(null!), Throws.ArgumentNullException);
        }
    }

    [Test]
    public void Collections_ListsTheElevenModelledCollections()
    {
        Assert.That(BlueskyRecords.Collections, Is.EquivalentTo(new[]
        {
            "app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.feed.repost", "app.bsky.graph.follow", "app.bsky.graph.block",
            "app.bsky.graph.list", "app.bsky.graph.listitem", "app.bsky.graph.starterpack", "app.bsky.actor.profile",
            "app.bsky.feed.threadgate", "app.bsky.feed.postgate",
        }));
        foreach (var collection in BlueskyRecords.Collections)
        {
            Assert.That(BlueskyRecords.TryGetTypeInfo(collection, out var info), Is.True);
            var nsid = (string)info!.Type.GetProperty("Collection")!.GetValue(null)!;
            Assert.That(nsid, Is.EqualTo(collection), info.Type.Name);
        }

        Assert.That(BlueskyRecords.TryGetTypeInfo("app.bsky.actor.status", out _), Is.False);
    }

    // ------------------------------------------------------------------ spot checks of known values

    [Test]
    public void Deserialize_IssuePostWithImage_ReadsTheBlob()
    {
        var post = (PostRecord)BlueskyRecords.Deserialize(RealEvents.ByRKey("3lbvtcqbmec2j").Commit)!;

        var images = (ImagesEmbed)post.Embed!;
        var image = images.Images.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.Text, Is.Empty);
            Assert.That(post.Langs, Is.EqualTo(new[] { "en" }));
            Assert.That(post.CreatedAt, Is.EqualTo(new DateTimeOffset(2024, 11, 27, 5, 34, 21, 980, TimeSpan.Zero)));
            Assert.That(images.Type, Is.EqualTo("app.bsky.embed.images"));
            Assert.That(image.Alt, Is.Empty);
            Assert.That(image.AspectRatio, Is.EqualTo(new AspectRatio { Width = 630, Height = 630 }));
            Assert.That(image.Image.Ref.Value, Is.EqualTo("bafkreiczvotekigpnpwzpv62gkefy6gcu53dkgrqkqkbfy3ayas55w4n64"));
            Assert.That(image.Image.MimeType, Is.EqualTo("image/jpeg"));
            Assert.That(image.Image.Size, Is.EqualTo(169041));
            Assert.That(image.Image.IsLegacy, Is.False);
        }
    }

    [Test]
    public void Deserialize_GoldenReply_ReadsRootAndParent()
    {
        var post = (PostRecord)BlueskyRecords.Deserialize(RealEvents.ByRKey("3mmoojp4cd223").Commit)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.Text, Is.EqualTo("Try RSV for a good time !!"));
            Assert.That(post.Reply!.Root.Uri.ToString(), Is.EqualTo("at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26"));
            Assert.That(post.Reply.Parent.Uri.Authority, Is.EqualTo("did:plc:j76trmiofvaxxpvx2vnb2vwf"));
            Assert.That(post.Reply.Parent.Uri.Collection, Is.EqualTo("app.bsky.feed.post"));
            Assert.That(post.Reply.Parent.Uri.RKey, Is.EqualTo("3mmojbrjwbs26"));
            Assert.That(post.Reply.Parent.Cid.Value, Is.EqualTo("bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai"));
            Assert.That(post.Embed, Is.Null);
            Assert.That(post.Facets, Is.Null);
        }
    }

    [Test]
    public void Deserialize_PostWithTagsAfterEmoji_FacetTextIsTheHashtag()
    {
        var post = RealEvents.Commits
            .Select(e => BlueskyRecords.Deserialize(e.Commit))
            .OfType<PostRecord>()
            .Single(p => p.Text.StartsWith("#HowToTellAiToShutUp", StringComparison.Ordinal));

        var tags = post.Facets!.Select(f => (((TagFeature)f.Features.Single()).Tag, f.GetText(post.Text))).ToList();

        Assert.That(tags, Is.EqualTo(new[] { ("HowToTellAiToShutUp", "#HowToTellAiToShutUp"), ("IndieRebellion", "#IndieRebellion") }));
    }

    [Test]
    public void Deserialize_PostWithLinkCardAndOffsetDate_ReadsCardAndDate()
    {
        var post = RealEvents.Commits
            .Select(e => BlueskyRecords.Deserialize(e.Commit))
            .OfType<PostRecord>()
            .Single(p => p.Text.StartsWith("Has anyone properly debunked", StringComparison.Ordinal));

        var card = ((ExternalEmbed)post.Embed!).External;
        var link = post.Facets!.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 7, 4, 14, 38, 2, TimeSpan.Zero)), "createdAt written as +00:00");
            Assert.That(post.Langs, Is.EqualTo(new[] { "en-US", "en" }));
            Assert.That(card.Uri, Is.EqualTo("https://www.ufofeed.com/266486/has-anyone-properly-debunked-tic-tac-video/"));
            Assert.That(card.Title, Is.EqualTo("Has anyone properly debunked Tic Tac video? - UFO FEED"));
            Assert.That(card.Thumb!.Size, Is.EqualTo(42101));
            Assert.That(((LinkFeature)link.Features.Single()).Uri, Is.EqualTo(card.Uri));
            Assert.That(link.GetText(post.Text), Is.EqualTo(card.Uri));
        }
    }

    [Test]
    public void Deserialize_GoldenProfileUpdate_ReadsBlobsAndPinnedPost()
    {
        var profile = (ProfileRecord)BlueskyRecords.Deserialize(RealEvents.Commits.Single(e => e.Commit.Collection == "app.bsky.actor.profile").Commit)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(profile.DisplayName, Is.EqualTo("Multiversal Lokis Unit🔞"));
            Assert.That(profile.Avatar!.Ref.Value, Is.EqualTo("bafkreieajxclqzwk2mczx7hxmoboqpuiveqlbm35gsda5xlaqfmlryu4ri"));
            Assert.That(profile.Avatar.Size, Is.EqualTo(720303));
            Assert.That(profile.Banner!.Size, Is.EqualTo(80402));
            Assert.That(profile.PinnedPost!.Uri.RKey, Is.EqualTo("3meuab5it2s2g"));
            Assert.That(profile.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 2, 14, 23, 48, 34, 991, TimeSpan.Zero)));
            Assert.That(profile.Labels, Is.Null);
        }
    }

    [Test]
    public void Deserialize_RepostWithVia_ReadsBothReferences()
    {
        var repost = RealEvents.Commits
            .Select(e => BlueskyRecords.Deserialize(e.Commit))
            .OfType<RepostRecord>()
            .First(r => r.Via is not null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(repost.Subject.Uri.ToString(), Is.EqualTo("at://did:plc:lthsfxxeghkgg44eummxtvbe/app.bsky.feed.post/3mpt6c57uy22u"));
            Assert.That(repost.Via!.Uri.Collection, Is.EqualTo("app.bsky.feed.repost"));
            Assert.That(repost.Via.Cid.Value, Is.EqualTo("bafyreia2vne3hmtdczormlmj6aecizdwv32343z6opxovizuq4zervu46a"));
        }
    }

    [Test]
    public void Deserialize_GoldenFollowAndBlock_ReadSubjects()
    {
        var follow = (FollowRecord)BlueskyRecords.Deserialize(RealEvents.ByRKey("3mmoojocxvr2s").Commit)!;
        var block = (BlockRecord)BlueskyRecords.Deserialize(RealEvents.ByRKey("3mmoojpduny2w").Commit)!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(follow.Subject, Is.EqualTo("did:plc:anc6s2kher6ltrhhglxrzxsa"));
            Assert.That(follow.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 5, 25, 14, 23, 27, 319, TimeSpan.Zero)));
            Assert.That(block.Subject, Is.EqualTo("did:plc:pgsrzsvisagr7wfqasmu3cgf"));
        }
    }

    // ------------------------------------------------------------------ independent comparison

    private static DateTimeOffset Date(JsonElement raw, string name = "createdAt") =>
        DateTimeOffset.Parse(raw.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertPost(PostRecord post, JsonElement raw)
    {
        var hasReply = raw.TryGetProperty("reply", out var reply);
        var hasFacets = raw.TryGetProperty("facets", out var facets);
        var hasEmbed = raw.TryGetProperty("embed", out var embed);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(post.Text, Is.EqualTo(raw.GetProperty("text").GetString()));
            Assert.That(post.CreatedAt, Is.EqualTo(Date(raw)));
            Assert.That(post.Langs, Is.EqualTo(raw.TryGetProperty("langs", out var langs) ? langs.EnumerateArray().Select(l => l.GetString()).ToArray() : null));
            Assert.That(post.Reply is null, Is.EqualTo(!hasReply));
            Assert.That(post.Facets?.Count, Is.EqualTo(hasFacets ? facets.GetArrayLength() : null));
            Assert.That(post.Embed?.Type, Is.EqualTo(hasEmbed ? embed.GetProperty("$type").GetString() : null));
        }

        if (post.Reply is not null)
        {
            AssertStrongRef(post.Reply.Root, reply.GetProperty("root"));
            AssertStrongRef(post.Reply.Parent, reply.GetProperty("parent"));
        }

        for (var i = 0; i < (post.Facets?.Count ?? 0); i++)
        {
            var facet = post.Facets![i];
            var rawFacet = facets[i];
            var index = rawFacet.GetProperty("index");
            Assert.That(facet.Index, Is.EqualTo(new ByteSlice { ByteStart = index.GetProperty("byteStart").GetInt32(), ByteEnd = index.GetProperty("byteEnd").GetInt32() }));
            Assert.That(
                facet.Features.Select(f => f.Type),
                Is.EqualTo(rawFacet.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("$type").GetString())));
            var bytes = System.Text.Encoding.UTF8.GetBytes(post.Text)[facet.Index.ByteStart..facet.Index.ByteEnd];
            Assert.That(facet.GetText(post.Text), Is.EqualTo(System.Text.Encoding.UTF8.GetString(bytes)), "the slice cut on UTF-8 bytes");
        }

        switch (post.Embed)
        {
            case ImagesEmbed images:
                var rawImages = embed.GetProperty("images").EnumerateArray().ToList();
                Assert.That(images.Images, Has.Count.EqualTo(rawImages.Count));
                for (var i = 0; i < rawImages.Count; i++)
                {
                    AssertBlob(images.Images[i].Image, rawImages[i].GetProperty("image"));
                    Assert.That(images.Images[i].Alt, Is.EqualTo(rawImages[i].GetProperty("alt").GetString()));
                }

                break;
            case ExternalEmbed external:
                var rawExternal = embed.GetProperty("external");
                Assert.That(external.External.Uri, Is.EqualTo(rawExternal.GetProperty("uri").GetString()));
                Assert.That(external.External.Title, Is.EqualTo(rawExternal.GetProperty("title").GetString()));
                Assert.That(external.External.Description, Is.EqualTo(rawExternal.GetProperty("description").GetString()));
                AssertBlob(external.External.Thumb!, rawExternal.GetProperty("thumb"));
                break;
            case null:
                break;
            default:
                Assert.Fail($"no check written for {post.Embed.GetType().Name}");
                break;
        }
    }

    private static void AssertStrongRef(StrongRef actual, JsonElement raw)
    {
        Assert.That(actual.Uri.ToString(), Is.EqualTo(raw.GetProperty("uri").GetString()));
        Assert.That(actual.Cid.Value, Is.EqualTo(raw.GetProperty("cid").GetString()));
    }

    private static void AssertOptionalStrongRef(StrongRef? actual, JsonElement parent, string name)
    {
        if (parent.TryGetProperty(name, out var raw))
        {
            Assert.That(actual, Is.Not.Null, name);
            AssertStrongRef(actual!, raw);
        }
        else
        {
            Assert.That(actual, Is.Null, name);
        }
    }

    private static void AssertBlob(BlobRef actual, JsonElement raw)
    {
        Assert.That(actual.Ref.Value, Is.EqualTo(raw.GetProperty("ref").GetProperty("$link").GetString()));
        Assert.That(actual.MimeType, Is.EqualTo(raw.GetProperty("mimeType").GetString()));
        Assert.That(actual.Size, Is.EqualTo(raw.GetProperty("size").GetInt64()));
    }
}
