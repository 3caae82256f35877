using System.Text;

namespace Jetstream.Reactive.Internal;

/// <summary>
/// A fixed-size, lock-free cache from short UTF-8 byte strings to <see cref="string"/>s, for values that repeat a lot
/// (collection NSIDs). A slot holds one entry; a collision replaces it. Memory stays bounded whatever the input.
/// </summary>
internal sealed class Utf8StringCache
{
    private const int MaxLength = 128;
    private readonly Entry?[] _slots;

    public Utf8StringCache(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _slots = new Entry?[size];
    }

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = (int)((uint)hash.ToHashCode() % (uint)_slots.Length);
        var entry = Volatile.Read(ref _slots[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref _slots[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    private sealed record Entry(byte[] Utf8, string Value);
}
