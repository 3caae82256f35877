using System.Diagnostics.CodeAnalysis;

// The test folders mirror src/Jetstream.Reactive's stage folders, namespaces included; "Resume" is a Visual Basic
// keyword, which only matters for a public API other languages consume, and a test assembly has none.
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace", Target = "~N:Jetstream.Reactive.Tests.Resume", Justification = "Test namespace mirrors the src folder; not consumed from other languages.")]
