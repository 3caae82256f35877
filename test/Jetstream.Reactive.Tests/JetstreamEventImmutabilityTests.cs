using System.Reflection;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests;

/// <summary>#13/#16: events are immutable for real: where an event came from is fixed when it is built, nothing sets it later.</summary>
public sealed class JetstreamEventImmutabilityTests
{
    private static readonly Type[] EventTypes = [typeof(JetstreamEvent), typeof(CommitEvent), typeof(IdentityEvent), typeof(AccountEvent), typeof(SyncEvent)];

    [TestCaseSource(nameof(EventTypes))]
    public void EventType_AnyMember_HasNoSetterAndNoWritableField(Type type)
    {
        const BindingFlags All = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        Assert.That(type.GetProperties(All).Where(p => p.GetSetMethod(nonPublic: true) is not null).Select(p => p.Name), Is.Empty);
        Assert.That(type.GetFields(All).Where(f => !f.IsInitOnly).Select(f => f.Name), Is.Empty);
    }

    [Test]
    public void WithOrigin_UntrustedFromSecondHost_IsACopyAndTheOriginalIsUnchanged()
    {
        var original = new IdentityEvent("did:plc:a", 5, 7, DateTimeOffset.UnixEpoch, "a.example", 9);

        var stamped = original.WithOrigin(new EventOrigin(1, CursorUntrusted: true), new byte[] { 1, 2 });

        Assert.That(stamped, Is.Not.SameAs(original));
        Assert.That((stamped.EndpointIndex, stamped.IsCursorTrusted, stamped.RawJson.Length), Is.EqualTo((1, false, 2)));
        Assert.That((original.EndpointIndex, original.IsCursorTrusted, original.RawJson.Length), Is.EqualTo((0, true, 0)));
        var copy = (IdentityEvent)stamped;
        Assert.That((copy.Did, copy.TimeUs, copy.Seq, copy.Handle, copy.ServerCursor), Is.EqualTo(("did:plc:a", 5L, 7L, "a.example", (long?)9)));
    }
}
