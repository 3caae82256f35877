using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Protocol.V1;

using static Jetstream.Reactive.Tests.Protocol.V1.V1Frames;

/// <summary>Random and mutated input never throws and yields exactly one outcome; only well-formed JSON is accepted.</summary>
public sealed class V1DecoderRobustnessTests
{
    [Test]
    public void Decode_RandomBytes_NeverThrowsAndReturnsExactlyOneOutcome()
    {
        var random = new Random(20260704);
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var frame = new byte[random.Next(0, 96)];
            random.NextBytes(frame);
            CheckOutcome(frame, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Decode_RandomJsonLikeText_NeverThrowsAndReturnsExactlyOneOutcome()
    {
        // Bytes from JSON's own alphabet reach much further into the parser than uniform noise does.
        var alphabet = "{}[]\":,\\ 0123456789.eE-+truefalsnl\"did\"time_us\"kind\"commit"u8.ToArray();
        var random = new Random(31527015);
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var frame = new byte[random.Next(0, 128)];
            for (var j = 0; j < frame.Length; j++)
            {
                frame[j] = alphabet[random.Next(alphabet.Length)];
            }

            CheckOutcome(frame, failures);
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Decode_MutatedRealLines_NeverThrowsAndOnlyAcceptsWellFormedJson()
    {
        var lines = SplitLines(File.ReadAllBytes(Path.Combine(TestDataDirectory, "golden_v1.jsonl"))).ToArray();
        var random = new Random(1779719009);
        var failures = new List<string>();
        var decoded = 0;
        for (var i = 0; i < 4000; i++)
        {
            var frame = Mutate(lines[random.Next(lines.Length)], random);
            if (CheckOutcome(frame, failures) is not null)
            {
                decoded++;
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty);

            // Some mutations land in string values and leave a valid event: the oracle was really exercised.
            Assert.That(decoded, Is.GreaterThan(100));
        }
    }

    private static byte[] Mutate(byte[] line, Random random)
    {
        var bytes = line.ToList();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] = (byte)"{}[]\":,0a\\"[random.Next(10)];
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)"{}[]\":,0a\\ "[random.Next(11)]);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var from = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 40), bytes.Count - from);
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
