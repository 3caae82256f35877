using Jetstream.Reactive.Linq;

namespace Jetstream.Reactive.Records.Internal;

/// <summary>
/// The subscription side of <c>Records&lt;T&gt;()</c>. An exception from the reader (the caller's error callback, or
/// broken metadata) ends the sequence with <c>OnError</c>, as an exception from a <c>Select</c> selector does; the
/// observer's own exceptions are not caught.
/// </summary>
internal sealed class RecordObserver<T> : IObserver<JetstreamEvent>
    where T : class
{
    private readonly IObserver<RecordEvent<T>> _observer;
    private readonly RecordReader<T> _reader;
    private bool _stopped;

    public RecordObserver(IObserver<RecordEvent<T>> observer, RecordReader<T> reader)
    {
        _observer = observer;
        _reader = reader;
    }

    public void OnNext(JetstreamEvent value)
    {
        if (_stopped)
        {
            return;
        }

        RecordEvent<T>? result;
        try
        {
            if (!_reader.TryRead(value, out result))
            {
                return;
            }
        }
#pragma warning disable CA1031 // Rx convention: a user callback's exception becomes the sequence's error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _stopped = true;
            _observer.OnError(ex);
            return;
        }

        _observer.OnNext(result);
    }

    public void OnError(Exception error)
    {
        if (!_stopped)
        {
            _stopped = true;
            _observer.OnError(error);
        }
    }

    public void OnCompleted()
    {
        if (!_stopped)
        {
            _stopped = true;
            _observer.OnCompleted();
        }
    }
}
