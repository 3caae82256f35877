namespace Jetstream.Reactive.Testing.Archive;

/// <summary>CID strings back to binary: multibase <c>b</c> (base32 lower) for v1, base58btc <c>Qm…</c> for v0.</summary>
internal static class CidText
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public static byte[] Decode(string cid)
    {
        if (cid.StartsWith("Qm", StringComparison.Ordinal) && cid.Length == 46)
        {
            return Base58(cid);
        }

        if (cid.Length < 2 || cid[0] != 'b')
        {
            throw new FormatException($"CID '{cid}' is neither base32 v1 nor base58 v0.");
        }

        var output = new List<byte>((cid.Length - 1) * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in cid.AsSpan(1))
        {
            var v = Base32Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0)
            {
                throw new FormatException($"CID '{cid}' has a character outside base32.");
            }

            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
            }
        }

        return [.. output];
    }

    private static byte[] Base58(string text)
    {
        var bytes = new List<byte>();
        foreach (var c in text)
        {
            var carry = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (carry < 0)
            {
                throw new FormatException($"CID '{text}' has a character outside base58.");
            }

            for (var i = 0; i < bytes.Count; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)carry;
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes.Add((byte)carry);
                carry >>= 8;
            }
        }

        bytes.Reverse();
        return [.. bytes];
    }
}
