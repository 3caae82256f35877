using Jetstream.Reactive.Resume;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Resume;

public sealed class RecentEventWindowTests
{
    private const string Did = "did:plc:mcc5yghbk7tixqryac2yxku7";

    private static CommitEvent Commit(long timeUs, string rkey = "r", string rev = "3mmoojp7vgo2g", CommitOperation op = CommitOperation.Create, long? seq = null, string collection = "app.bsky.feed.like") =>
        new(Did, timeUs, new JetstreamCommit(rev, op, collection, rkey, op == CommitOperation.Delete ? null : "bafy", op == CommitOperation.Delete ? default : "{}"u8.ToArray()), seq);

    [Test]
    public void Identity_SameOperationStampedByAnotherHost_IsTheSame()
    {
        Assert.That(RecentEventWindow.Identity(Commit(1, seq: 500)), Is.EqualTo(RecentEventWindow.Identity(Commit(99, seq: 20))));
        Assert.That(
            RecentEventWindow.Identity(new IdentityEvent(Did, 1, 77, DateTimeOffset.UnixEpoch, "a.example", 5)),
            Is.EqualTo(RecentEventWindow.Identity(new IdentityEvent(Did, 2, 77, DateTimeOffset.UnixEpoch, "a.example", 9))));
    }

    [Test]
    public void Identity_AnyPartDiffers_IsDifferent()
    {
        var ids = new[]
        {
            RecentEventWindow.Identity(Commit(1)),
            RecentEventWindow.Identity(Commit(1, rkey: "s")),
            RecentEventWindow.Identity(Commit(1, rev: "3mmoojp7vgo2h")),
            RecentEventWindow.Identity(Commit(1, op: CommitOperation.Delete)),
            RecentEventWindow.Identity(Commit(1, collection: "app.bsky.feed.post")),
            RecentEventWindow.Identity(new CommitEvent("did:plc:other", 1, Commit(1).Commit)),
            RecentEventWindow.Identity(new IdentityEvent(Did, 1, 77, DateTimeOffset.UnixEpoch, null)),
            RecentEventWindow.Identity(new IdentityEvent(Did, 1, 78, DateTimeOffset.UnixEpoch, null)),
            RecentEventWindow.Identity(new AccountEvent(Did, 1, true, null, 77, DateTimeOffset.UnixEpoch)),
            RecentEventWindow.Identity(new SyncEvent(Did, 1, "3mmoojp7vgo2g", 77, DateTimeOffset.UnixEpoch, default)),
        };

        Assert.That(ids, Is.Unique);
    }

    [Test]
    public void Identity_PartsAreSeparated_SoShiftedTextDiffers()
    {
        Assert.That(RecentEventWindow.Identity(Commit(1, rkey: "ab", rev: "c")), Is.Not.EqualTo(RecentEventWindow.Identity(Commit(1, rkey: "a", rev: "bc"))));
    }

    [Test]
    public void Add_PastCapacity_ForgetsTheOldest()
    {
        var window = new RecentEventWindow(3);
        for (var i = 0; i < 5; i++)
        {
            window.TryAdd(Commit(i, rkey: "r" + i));
        }

        window.TryAdd(Commit(9, rkey: "r4"));

        Assert.That(window.Count, Is.EqualTo(3));
        Assert.That(Enumerable.Range(0, 5).Select(i => window.Contains(Commit(0, rkey: "r" + i))), Is.EqualTo(new[] { false, false, true, true, true }));
    }

    [Test]
    public void Add_ManyEvents_HoldsExactlyCapacity()
    {
        var window = new RecentEventWindow(1_000);
        for (var i = 0; i < 50_000; i++)
        {
            window.TryAdd(Commit(i, rkey: "r" + i));
        }

        Assert.That(window.Count, Is.EqualTo(1_000));
        Assert.That(window.Contains(Commit(0, rkey: "r49999")), Is.True);
        Assert.That(window.Contains(Commit(0, rkey: "r48999")), Is.False);
    }

    [Test]
    public void TryAdd_TwoUpdatesOfOneRecordWithoutRev_BothPass()
    {
        // Without a rev nothing tells two updates of ".../self" apart: better delivered twice than one dropped.
        var window = new RecentEventWindow(10);
        var first = Commit(1, rkey: "self", rev: "", op: CommitOperation.Update, collection: "app.bsky.actor.profile");
        var second = Commit(2, rkey: "self", rev: "", op: CommitOperation.Update, collection: "app.bsky.actor.profile");

        Assert.That(window.TryAdd(first), Is.True);
        Assert.That(window.Contains(second), Is.False);
        Assert.That(window.TryAdd(second), Is.True);
        Assert.That(window.Count, Is.Zero, "nothing without an identity is remembered");
    }
}
