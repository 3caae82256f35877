using NUnit.Framework;

// Fixtures run in parallel, each fixture's tests one after another (a fixture shares its harness between tests). Two
// workers for the 2-core CI machine. A fixture or test that touches process-wide state (environment variables, the
// process-wide meter, Console) is marked [NonParallelizable] where it is declared; per-test meter factories
// (Infrastructure/TestMeterFactory) keep every other metric assertion private to its test.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
