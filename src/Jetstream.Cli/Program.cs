using System.Runtime.InteropServices;
using Jetstream.Cli;
using Jetstream.Cli.Infrastructure;

// Ctrl+C and SIGTERM cancel the command, which stops cleanly: output flushed, cursor saved, exit code 0.
using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stopping.IsCancellationRequested; // a second Ctrl+C ends the process at once
    stopping.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopping.Cancel();
});

return await CliApp.RunAsync(args, CliConsole.System(), stopping.Token);
