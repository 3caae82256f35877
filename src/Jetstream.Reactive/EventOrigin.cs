namespace Jetstream.Reactive;

/// <summary>
/// Where an event came from, fixed when it is built: which of the session's endpoints it was read from (for the
/// durable cursor's host) and whether its cursor failed the plausibility check (passed on, but never the resume cursor
/// nor the saved one). A reader at the delivery end (the cursor saver, the async handler) reads it from the event
/// (<see cref="JetstreamEvent.Origin"/>).
/// </summary>
/// <param name="EndpointIndex">The index of the endpoint in the session's list.</param>
/// <param name="CursorUntrusted">Whether the cursor is not to be trusted.</param>
internal readonly record struct EventOrigin(int EndpointIndex, bool CursorUntrusted);
