using System.Buffers;
using System.Text;
using Jetstream.Reactive;

namespace Jetstream.Cli.Output;

/// <summary>
/// Prints events one line each, as JSON lines or as <see cref="EventText"/>, flushing every line: a stream counts an event
/// as handled when its <c>OnNext</c> returns, so a saved cursor never runs ahead of what was printed.
/// </summary>
internal sealed class EventPrinter(TextWriter output, bool json)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    /// <summary>Prints <paramref name="e"/>; <see langword="false"/> when the reader went away (<c>jetstream tail | head</c>).</summary>
    public bool TryPrint(JetstreamEvent e)
    {
        try
        {
            if (json)
            {
                _buffer.ResetWrittenCount();
                EventJson.Write(e, _buffer);
                output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
            }
            else
            {
                output.WriteLine(EventText.Format(e));
            }

            output.Flush();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
