using System.Security.Cryptography;

namespace Jetstream.Reactive.Archive;

/// <summary>Content identifiers as atproto writes them: CIDv1 dag-cbor sha2-256 in base32, and binary CIDs from tag 42 links.</summary>
internal static class Cid
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>The CIDv1 (dag-cbor, sha2-256) of a DAG-CBOR block, as the server computes a commit's <c>cid</c>.</summary>
    public static string ForDagCbor(ReadOnlySpan<byte> block)
    {
        Span<byte> binary = stackalloc byte[36];
        binary[0] = 0x01; // CIDv1
        binary[1] = 0x71; // dag-cbor
        binary[2] = 0x12; // sha2-256
        binary[3] = 0x20; // 32 bytes
        SHA256.HashData(block, binary[4..]);
        return Base32Multibase(binary);
    }

    /// <summary>The string form of a binary CID: v0 (a bare sha2-256 multihash) in base58btc, anything else v1 in base32.</summary>
    public static string FromBinary(ReadOnlySpan<byte> binary) =>
        binary.Length == 34 && binary[0] == 0x12 && binary[1] == 0x20 ? Base58(binary) : Base32Multibase(binary);

    private static string Base32Multibase(ReadOnlySpan<byte> data)
    {
        var length = 1 + (((data.Length * 8) + 4) / 5);
        return string.Create(length, data.ToArray(), static (chars, bytes) =>
        {
            chars[0] = 'b';
            int buffer = 0, bits = 0, o = 1;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[o++] = Base32Alphabet[(buffer >> bits) & 31];
                }
            }

            if (bits > 0)
            {
                chars[o] = Base32Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    private static string Base58(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // Repeated division of a base-256 number by 58; the input is at most a few dozen bytes.
        var digits = new byte[(data.Length * 138 / 100) + 1];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            int carry = data[i];
            for (var j = 0; j < length; j++)
            {
                carry += digits[j] << 8;
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }

            while (carry > 0)
            {
                digits[length++] = (byte)(carry % 58);
                carry /= 58;
            }
        }

        var chars = new char[zeros + length];
        for (var i = 0; i < zeros; i++)
        {
            chars[i] = '1';
        }

        for (var i = 0; i < length; i++)
        {
            chars[zeros + i] = Base58Alphabet[digits[length - 1 - i]];
        }

        return new string(chars);
    }
}
