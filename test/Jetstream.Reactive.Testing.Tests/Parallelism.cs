using NUnit.Framework;

// Fixtures run in parallel, each fixture's tests one after another; two workers for the 2-core CI machine. A fixture
// that touches process-wide state (environment variables, the process-wide meter, Console, a shared external server)
// or whose measurements a neighbour would disturb (heap bounds, wall-clock windows) says [NonParallelizable] where it
// is declared.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
