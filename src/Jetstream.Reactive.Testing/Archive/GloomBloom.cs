using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics;
using System.Text;

namespace Jetstream.Reactive.Testing.Archive;

/// <summary>
/// The DID bloom filter format of the server's segments (gloom v1): blocked, 512-bit blocks, XXH3-128 of the key,
/// one probe per partition, a CRC-32C trailer. This writer always uses k = 15 and about 14.4 bits per item.
/// </summary>
internal sealed class GloomBloom
{
    private static readonly int[] Partitions15 = [11, 13, 17, 19, 23, 28, 29, 31, 37, 41, 43, 47, 53, 59, 61];

    private readonly ulong[] _words;
    private readonly ulong _numBlocks;
    private ulong _count;

    public GloomBloom(int capacity)
    {
        _numBlocks = (ulong)Math.Max(1, (int)Math.Ceiling(capacity * 14.38 / 512));
        _words = new ulong[_numBlocks * 8];
    }

    public int SerializedLength => 25 + (64 * (int)_numBlocks);

    public void Add(string key)
    {
        var hash = XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(key));
        var hi = (ulong)(hash >> 64);
        var lo = (ulong)hash;
        var block = Math.BigMul(hi, _numBlocks, out _);
        var x = (uint)lo ^ (uint)(lo >> 32);
        var offset = 0;
        foreach (var partition in Partitions15)
        {
            var bit = offset + (int)(x % (uint)partition);
            _words[((int)block * 8) + (bit / 64)] |= 1UL << (bit % 64);
            offset += partition;
        }

        _count++;
    }

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)Partitions15.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[5..], _numBlocks);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[13..], _count);
        for (var i = 0; i < _words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(21 + (8 * i))..], _words[i]);
        }

        var body = destination[..(SerializedLength - 4)];
        var crc = ~0u;
        foreach (var b in body)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[(SerializedLength - 4)..], ~crc);
    }
}
