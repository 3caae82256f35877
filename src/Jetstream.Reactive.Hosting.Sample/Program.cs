using Jetstream.Reactive.Hosting;
using Jetstream.Reactive.Hosting.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// begin-snippet: hosting-program
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddJetstream(builder.Configuration.GetSection("Jetstream"))
    .AddHandler<PostPrinter>()
    .AddBatchHandler<LikeCounter>(handler => handler.MaxBatchSize = 500);
builder.Services.AddSingleton<LikeTotals>();
builder.Services.AddHealthChecks().AddJetstream();

await builder.Build().RunAsync();
// end-snippet
