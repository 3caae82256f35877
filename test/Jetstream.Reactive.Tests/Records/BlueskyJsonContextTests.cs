using System.Text.Json;
using Jetstream.Reactive.Records;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Records;

/// <summary>
/// The record types the captures do not contain (lists, starter packs, gates, video, quotes, mentions, labels), written
/// by hand from the lexicons, plus the rules every record follows: unknown fields skipped, unknown union members kept,
/// required fields enforced, and a round trip through the writer.
/// </summary>
public sealed class BlueskyJsonContextTests
{
    private const string Did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    private const string Cid1 = "bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai";
    private const string Blob1 = "bafkreiczvotekigpnpwzpv62gkefy6gcu53dkgrqkqkbfy3ayas55w4n64";
    private const string PostUri = "at://" + Did + "/app.bsky.feed.post/3l3pte3p2e325";
    private const string ListUri = "at://" + Did + "/app.bsky.graph.list/3kxlisst3ss2a";

    private static readonly BlueskyJsonContext Context = BlueskyJsonContext.Default;

    // ------------------------------------------------------------------ posts: embeds and facets

    [Test]
    public void PostRecord_VideoEmbed_ReadsVideoCaptionsAndRatio()
    {
        var post = Read(Post("""
            "embed":{"$type":"app.bsky.embed.video","video":{"$type":"blob","ref":{"$link":"BLOB"},"mimeType":"video/mp4","size":4000000},
                     "captions":[{"lang":"en","file":{"$type":"blob","ref":{"$link":"BLOB"},"mimeType":"text/vtt","size":300}}],
                     "alt":"a cat","aspectRatio":{"width":16,"height":9},"presentation":"gif"}
            """), Context.PostRecord);

        var video = (VideoEmbed)post.Embed!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(video.Type, Is.EqualTo("app.bsky.embed.video"));
            Assert.That(video.Video.MimeType, Is.EqualTo("video/mp4"));
            Assert.That(video.Video.Size, Is.EqualTo(4_000_000));
            Assert.That(video.Captions!.Single().Lang, Is.EqualTo("en"));
            Assert.That(video.Captions!.Single().File.MimeType, Is.EqualTo("text/vtt"));
            Assert.That(video.Alt, Is.EqualTo("a cat"));
            Assert.That(video.AspectRatio, Is.EqualTo(new AspectRatio { Width = 16, Height = 9 }));
            Assert.That(video.Presentation, Is.EqualTo("gif"));
        }
    }

    [Test]
    public void PostRecord_RecordEmbed_ReadsTheQuotedPost()
    {
        var post = Read(Post("""
            "embed":{"$type":"app.bsky.embed.record","record":{"cid":"CID","uri":"POSTURI"}}
            """), Context.PostRecord);

        var quote = (RecordEmbed)post.Embed!;
        Assert.That(quote.Record, Is.EqualTo(new StrongRef { Uri = AtUri.Parse(PostUri), Cid = Cid.Parse(Cid1) }));
    }

    [Test]
    public void PostRecord_RecordWithMediaEmbed_ReadsQuoteAndMedia()
    {
        var post = Read(Post("""
            "embed":{"$type":"app.bsky.embed.recordWithMedia",
                     "media":{"$type":"app.bsky.embed.images","images":[{"alt":"x","image":{"$type":"blob","ref":{"$link":"BLOB"},"mimeType":"image/png","size":5}}]},
                     "record":{"$type":"app.bsky.embed.record","record":{"cid":"CID","uri":"POSTURI"}}}
            """), Context.PostRecord);

        var embed = (RecordWithMediaEmbed)post.Embed!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(embed.Record.Record.Uri.RKey, Is.EqualTo("3l3pte3p2e325"));
            Assert.That(embed.Media, Is.TypeOf<ImagesEmbed>());
            Assert.That(((ImagesEmbed)embed.Media).Images.Single().Image.MimeType, Is.EqualTo("image/png"));
        }
    }

    [Test]
    public void PostRecord_MentionLinkAndTagFacets_ReadEachFeature()
    {
        const string Text = "hi @alice.test see x.org #dotnet";
        var post = Read(Post("""
            "text":"TEXT","facets":[
              {"index":{"byteStart":3,"byteEnd":14},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"DID"}]},
              {"index":{"byteStart":19,"byteEnd":24},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x.org"}]},
              {"features":[{"tag":"dotnet","$type":"app.bsky.richtext.facet#tag"}],"index":{"byteEnd":32,"byteStart":25}}]
            """.Replace("TEXT", Text, StringComparison.Ordinal), withText: false), Context.PostRecord);

        var facets = post.Facets!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(((MentionFeature)facets[0].Features.Single()).Did, Is.EqualTo(Did));
            Assert.That(facets[0].GetText(post.Text), Is.EqualTo("@alice.test"));
            Assert.That(((LinkFeature)facets[1].Features.Single()).Uri, Is.EqualTo("https://x.org"));
            Assert.That(facets[1].GetText(post.Text), Is.EqualTo("x.org"));
            Assert.That(((TagFeature)facets[2].Features.Single()).Tag, Is.EqualTo("dotnet"), "$type after the other fields");
            Assert.That(facets[2].GetText(post.Text), Is.EqualTo("#dotnet"));
        }
    }

    [Test]
    public void PostRecord_UnknownUnionMembers_KeptAsRawJson()
    {
        var post = Read(Post("""
            "embed":{"$type":"app.bsky.embed.gallery","items":[1,2,{"deep":true}]},
            "facets":[{"index":{"byteStart":0,"byteEnd":1},"features":[{"$type":"app.bsky.richtext.facet#bold"},{"noType":1}]}],
            "labels":{"$type":"com.example.labels","values":["x"]}
            """), Context.PostRecord);

        var embed = (UnknownEmbed)post.Embed!;
        var features = post.Facets!.Single().Features;
        var labels = (UnknownLabels)post.Labels!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(embed.Type, Is.EqualTo("app.bsky.embed.gallery"));
            Assert.That(embed.Json.GetProperty("items")[2].GetProperty("deep").GetBoolean(), Is.True);
            Assert.That(features[0], Is.TypeOf<UnknownFacetFeature>());
            Assert.That(features[0].Type, Is.EqualTo("app.bsky.richtext.facet#bold"));
            Assert.That(features[1].Type, Is.Empty, "a member without $type");
            Assert.That(((UnknownFacetFeature)features[1]).Json.GetProperty("noType").GetInt32(), Is.EqualTo(1));
            Assert.That(labels.Type, Is.EqualTo("com.example.labels"));
            Assert.That(labels.Json.GetProperty("values")[0].GetString(), Is.EqualTo("x"));
        }
    }

    [Test]
    public void PostRecord_SelfLabelsTagsAndUnknownFields_ReadLabelsIgnoreTheRest()
    {
        var post = Read(Post("""
            "labels":{"$type":"com.atproto.label.defs#selfLabels","values":[{"val":"nudity"},{"val":"graphic-media"}]},
            "tags":["news","x"],
            "entities":[{"index":{"start":0,"end":1},"type":"mention","value":"x"}],
            "via":"Graysky","someFutureField":{"nested":[null,true,1.5e300]}
            """), Context.PostRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(((SelfLabels)post.Labels!).Values.Select(v => v.Val), Is.EqualTo(new[] { "nudity", "graphic-media" }));
            Assert.That(post.Tags, Is.EqualTo(new[] { "news", "x" }));
            Assert.That(post.Text, Is.EqualTo("hello"));
        }
    }

    // ------------------------------------------------------------------ graph and gate records

    [Test]
    public void ListRecord_ModerationList_ReadsAllFields()
    {
        var list = Read($$"""
            {"$type":"app.bsky.graph.list","purpose":"app.bsky.graph.defs#modlist","name":"Spam","description":"bots @x",
             "descriptionFacets":[{"index":{"byteStart":5,"byteEnd":7},"features":[{"$type":"app.bsky.richtext.facet#mention","did":"{{Did}}"}]}],
             "avatar":{"$type":"blob","ref":{"$link":"{{Blob1}}"},"mimeType":"image/jpeg","size":10},
             "labels":{"$type":"com.atproto.label.defs#selfLabels","values":[]},
             "createdAt":"2024-09-09T19:46:02.102Z"}
            """, Context.ListRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(list.Purpose, Is.EqualTo(ListPurposes.ModerationList));
            Assert.That(list.Name, Is.EqualTo("Spam"));
            Assert.That(list.DescriptionFacets!.Single().GetText(list.Description!), Is.EqualTo("@x"));
            Assert.That(list.Avatar!.Size, Is.EqualTo(10));
            Assert.That(((SelfLabels)list.Labels!).Values, Is.Empty);
            Assert.That(list.CreatedAt, Is.EqualTo(new DateTimeOffset(2024, 9, 9, 19, 46, 2, 102, TimeSpan.Zero)));
        }
    }

    [Test]
    public void ListItemRecord_ReadsSubjectAndList()
    {
        var item = Read($$"""
            {"$type":"app.bsky.graph.listitem","subject":"did:plc:abc","list":"{{ListUri}}","createdAt":"2024-09-09T19:46:02Z"}
            """, Context.ListItemRecord);

        Assert.That((item.Subject, item.List.Collection, item.List.RKey), Is.EqualTo(("did:plc:abc", "app.bsky.graph.list", "3kxlisst3ss2a")));
    }

    [Test]
    public void StarterPackRecord_ReadsListAndFeeds()
    {
        var pack = Read($$"""
            {"$type":"app.bsky.graph.starterpack","name":"Rx folks","list":"{{ListUri}}",
             "feeds":[{"uri":"at://{{Did}}/app.bsky.feed.generator/dotnet"}],"createdAt":"2024-09-09T19:46:02Z"}
            """, Context.StarterPackRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pack.Name, Is.EqualTo("Rx folks"));
            Assert.That(pack.List.ToString(), Is.EqualTo(ListUri));
            Assert.That(pack.Feeds!.Single().Uri.RKey, Is.EqualTo("dotnet"));
            Assert.That(pack.Description, Is.Null);
        }
    }

    [Test]
    public void ThreadgateRecord_AllRuleKinds_ReadInOrder()
    {
        var gate = Read($$"""
            {"$type":"app.bsky.feed.threadgate","post":"{{PostUri}}","createdAt":"2024-09-09T19:46:02Z",
             "allow":[{"$type":"app.bsky.feed.threadgate#mentionRule"},{"$type":"app.bsky.feed.threadgate#followerRule"},
                      {"$type":"app.bsky.feed.threadgate#followingRule"},{"list":"{{ListUri}}","$type":"app.bsky.feed.threadgate#listRule"},
                      {"$type":"app.bsky.feed.threadgate#futureRule","x":1}],
             "hiddenReplies":["{{PostUri}}"]}
            """, Context.ThreadgateRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gate.Post.ToString(), Is.EqualTo(PostUri));
            Assert.That(
                gate.Allow!.Select(r => r.GetType()),
                Is.EqualTo(new[] { typeof(MentionRule), typeof(FollowerRule), typeof(FollowingRule), typeof(ListRule), typeof(UnknownThreadgateRule) }));
            Assert.That(((ListRule)gate.Allow![3]).List.ToString(), Is.EqualTo(ListUri));
            Assert.That(gate.Allow![4].Type, Is.EqualTo("app.bsky.feed.threadgate#futureRule"));
            Assert.That(gate.HiddenReplies!.Single().ToString(), Is.EqualTo(PostUri));
        }
    }

    [Test]
    public void ThreadgateRecord_EmptyAllow_MeansNobodyNotEveryone()
    {
        var nobody = Read($$"""{"post":"{{PostUri}}","createdAt":"2024-09-09T19:46:02Z","allow":[]}""", Context.ThreadgateRecord);
        var everyone = Read($$"""{"post":"{{PostUri}}","createdAt":"2024-09-09T19:46:02Z"}""", Context.ThreadgateRecord);

        Assert.That((nobody.Allow?.Count, everyone.Allow), Is.EqualTo(((int?)0, (IReadOnlyList<ThreadgateRule>?)null)));
    }

    [Test]
    public void PostgateRecord_ReadsRulesAndDetachedQuotes()
    {
        var gate = Read($$"""
            {"$type":"app.bsky.feed.postgate","post":"{{PostUri}}","createdAt":"2024-09-09T19:46:02Z",
             "detachedEmbeddingUris":["{{PostUri}}"],
             "embeddingRules":[{"$type":"app.bsky.feed.postgate#disableRule"},{"$type":"app.bsky.feed.postgate#other"}]}
            """, Context.PostgateRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gate.DetachedEmbeddingUris!.Single().ToString(), Is.EqualTo(PostUri));
            Assert.That(gate.EmbeddingRules![0], Is.TypeOf<DisableRule>());
            Assert.That(gate.EmbeddingRules![1], Is.TypeOf<UnknownPostgateRule>());
            Assert.That(((UnknownPostgateRule)gate.EmbeddingRules![1]).Json.GetProperty("$type").GetString(), Is.EqualTo("app.bsky.feed.postgate#other"));
        }
    }

    [Test]
    public void ProfileRecord_EmptyObject_IsValidWithEveryFieldNull()
    {
        var profile = Read("""{"$type":"app.bsky.actor.profile"}""", Context.ProfileRecord);

        Assert.That(profile, Is.EqualTo(new ProfileRecord()));
    }

    [Test]
    public void ProfileRecord_LegacyBlob_ReadsCidAndMimeTypeWithoutSize()
    {
        var profile = Read($$$"""{"avatar":{"cid":"{{{Blob1}}}","mimeType":"image/png"},"joinedViaStarterPack":{"uri":"at://{{{Did}}}/app.bsky.graph.starterpack/3abc","cid":"{{{Cid1}}}"}}""", Context.ProfileRecord);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(profile.Avatar, Is.EqualTo(new BlobRef { Ref = Cid.Parse(Blob1), MimeType = "image/png", IsLegacy = true }));
            Assert.That(profile.JoinedViaStarterPack!.Uri.Collection, Is.EqualTo("app.bsky.graph.starterpack"));
        }
    }

    // ------------------------------------------------------------------ dates

    [TestCase("2024-09-09T19:46:02.102Z", 102)]
    [TestCase("2024-09-09T19:46:02.102+00:00", 102)]
    [TestCase("2024-09-09T21:46:02.102+02:00", 102)]
    [TestCase("2024-09-09T19:46:02.102", 102)]
    [TestCase("2024-09-09T19:46:02Z", 0)]
    [TestCase("2024-09-09T19:46:02.102000000Z", 102)]
    public void CreatedAt_Rfc3339Variants_ReadAsTheSameInstant(string value, int milliseconds)
    {
        var like = Read($$"""{"subject":{"uri":"{{PostUri}}","cid":"{{Cid1}}"},"createdAt":"{{value}}"}""", Context.LikeRecord);

        Assert.That(like.CreatedAt.UtcDateTime, Is.EqualTo(new DateTime(2024, 9, 9, 19, 46, 2, milliseconds, DateTimeKind.Utc)), "no offset means UTC, never the machine's zone");
    }

    [Test]
    [NonParallelizable] // Sets TZ and TZDIR, which are process-wide.
    public void CreatedAt_WithoutOffsetOnAMachineOutsideUtc_StillReadAsUtc()
    {
        // The zone comes from the test's own zoneinfo copy (TZDIR), not the machine's tzdata: without that database
        // the zone switch would silently leave the process in UTC, where the test proves nothing. So the check below is
        // an assertion (red), never an assumption (Inconclusive).
        var saved = Environment.GetEnvironmentVariable("TZ");
        var savedDirectory = Environment.GetEnvironmentVariable("TZDIR");
        try
        {
            Environment.SetEnvironmentVariable("TZDIR", Path.Combine(AppContext.BaseDirectory, "TestData", "zoneinfo"));
            Environment.SetEnvironmentVariable("TZ", "Asia/Tokyo");
            TimeZoneInfo.ClearCachedData();
            Assert.That(TimeZoneInfo.Local.BaseUtcOffset, Is.EqualTo(TimeSpan.FromHours(9)), "the process must run in UTC+9 for this test to mean anything");

            var like = Read($$"""{"subject":{"uri":"{{PostUri}}","cid":"{{Cid1}}"},"createdAt":"2024-09-09T19:46:02.102"}""", Context.LikeRecord);

            Assert.That(like.CreatedAt, Is.EqualTo(new DateTimeOffset(2024, 9, 9, 19, 46, 2, 102, TimeSpan.Zero)));
            Assert.That(like.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", saved);
            Environment.SetEnvironmentVariable("TZDIR", savedDirectory);
            TimeZoneInfo.ClearCachedData();
        }
    }

    [TestCase("\"yesterday\"")]
    [TestCase("\"09/09/2024\"")]
    [TestCase("\"0000-01-01T00:00:00Z\"")]
    [TestCase("1725911162")]
    public void CreatedAt_NotADatetime_Throws(string value)
    {
        var json = $$"""{"subject":{"uri":"{{PostUri}}","cid":"{{Cid1}}"},"createdAt":{{value}}}""";

        Assert.That(() => JsonSerializer.Deserialize(json, Context.LikeRecord), Throws.InstanceOf<JsonException>());
    }

    // ------------------------------------------------------------------ invalid records

    [TestCase("""{"createdAt":"2024-09-09T19:46:02Z"}""", TestName = "PostRecord_MissingText_Throws")]
    [TestCase("""{"text":"x"}""", TestName = "PostRecord_MissingCreatedAt_Throws")]
    [TestCase("""{"text":null,"createdAt":"2024-09-09T19:46:02Z"}""", TestName = "PostRecord_NullText_Throws")]
    [TestCase("""{"text":7,"createdAt":"2024-09-09T19:46:02Z"}""", TestName = "PostRecord_NumberText_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","reply":{"root":{"uri":"https://x","cid":"bafyreiainko5un5pbcdosvxpbisjnjzemojnry6nsgtdftdgslbu37kxai"}}}""", TestName = "PostRecord_BadReply_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","embed":"images"}""", TestName = "PostRecord_EmbedNotAnObject_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","embed":{"$type":"app.bsky.embed.images"}}""", TestName = "PostRecord_KnownEmbedMissingField_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"mimeType":"image/png"}}]}}""", TestName = "PostRecord_BlobWithoutRef_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"$type":"blob","ref":{"$link":"nope"},"mimeType":"image/png","size":1}}]}}""", TestName = "PostRecord_BlobWithBadCid_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","embed":{"$type":"app.bsky.embed.images","images":[{"alt":"","image":{"$type":"blob","ref":{"$link":"bafkreiczvotekigpnpwzpv62gkefy6gcu53dkgrqkqkbfy3ayas55w4n64"},"mimeType":"image/png","size":-1}}]}}""", TestName = "PostRecord_BlobWithNegativeSize_Throws")]
    [TestCase("""{"text":"x","createdAt":"2024-09-09T19:46:02Z","facets":[{"index":{"byteStart":"0","byteEnd":1},"features":[]}]}""", TestName = "PostRecord_FacetIndexAsString_Throws")]
    [TestCase("""[]""", TestName = "PostRecord_Array_Throws")]
    public void PostRecord_Invalid_Throws(string json)
    {
        Assert.That(() => JsonSerializer.Deserialize(json, Context.PostRecord), Throws.InstanceOf<JsonException>());
    }

    // ------------------------------------------------------------------ writing

    [Test]
    public void PostRecord_RoundTrip_WritesLexiconJsonThatReadsBackEqual()
    {
        var original = Read(Post("""
            "langs":["en"],
            "reply":{"root":{"cid":"CID","uri":"POSTURI"},"parent":{"cid":"CID","uri":"POSTURI"}},
            "facets":[{"index":{"byteStart":0,"byteEnd":5},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"hello"},{"$type":"x.y#z","k":[1]}]}],
            "embed":{"$type":"app.bsky.embed.recordWithMedia","record":{"record":{"cid":"CID","uri":"POSTURI"}},
                     "media":{"$type":"app.bsky.embed.external","external":{"uri":"https://x.org","title":"t","description":"d",
                              "thumb":{"cid":"BLOB","mimeType":"image/png"}}}}
            """), Context.PostRecord);

        var json = JsonSerializer.Serialize(original, Context.PostRecord);
        var again = JsonSerializer.Deserialize(json, Context.PostRecord)!;

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("$type").GetString(), Is.EqualTo("app.bsky.feed.post"));
            Assert.That(root.GetProperty("createdAt").GetString(), Is.EqualTo("2024-09-09T19:46:02.102Z"));
            Assert.That(root.GetProperty("embed").GetProperty("$type").GetString(), Is.EqualTo("app.bsky.embed.recordWithMedia"));
            Assert.That(root.GetProperty("embed").GetProperty("media").GetProperty("external").GetProperty("thumb").GetProperty("cid").GetString(), Is.EqualTo(Blob1), "legacy blobs stay legacy");
            Assert.That(root.GetProperty("facets")[0].GetProperty("features")[1].GetProperty("k")[0].GetInt32(), Is.EqualTo(1), "unknown members written back as they came");
            Assert.That(root.TryGetProperty("tags", out _), Is.False, "null properties are left out");
            Assert.That(again.Reply, Is.EqualTo(original.Reply));
            Assert.That(again.Text, Is.EqualTo(original.Text));
            Assert.That(again.CreatedAt, Is.EqualTo(original.CreatedAt));
            Assert.That(((RecordWithMediaEmbed)again.Embed!).Record, Is.EqualTo(((RecordWithMediaEmbed)original.Embed!).Record));
            Assert.That(((TagFeature)again.Facets![0].Features[0]).Tag, Is.EqualTo("hello"));
        }
    }

    [Test]
    public void BlobRef_Write_UsesTheCurrentForm()
    {
        var blob = new BlobRef { Ref = Cid.Parse(Blob1), MimeType = "image/jpeg", Size = 12 };

        Assert.That(
            JsonSerializer.Serialize(blob, Context.BlobRef),
            Is.EqualTo($$"""{"$type":"blob","ref":{"$link":"{{Blob1}}"},"mimeType":"image/jpeg","size":12}"""));
    }

    // ------------------------------------------------------------------ helpers

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        JsonSerializer.Deserialize(json, typeInfo) ?? throw new AssertionException("deserialized to null");

    // A post with the given extra properties; CID, BLOB, POSTURI and DID are replaced by valid values.
    private static string Post(string extra, bool withText = true) =>
        ("{\"$type\":\"app.bsky.feed.post\",\"createdAt\":\"2024-09-09T19:46:02.102Z\"," + (withText ? "\"text\":\"hello\"," : "") + extra + "}")
            .Replace("POSTURI", PostUri, StringComparison.Ordinal)
            .Replace("CID", Cid1, StringComparison.Ordinal)
            .Replace("BLOB", Blob1, StringComparison.Ordinal)
            .Replace("\"DID\"", "\"" + Did + "\"", StringComparison.Ordinal);
}
