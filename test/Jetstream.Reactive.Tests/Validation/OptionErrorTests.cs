using Jetstream.Reactive.Archive;
using Jetstream.Reactive.Validation;
using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Validation;

/// <summary>Each validation problem carries its setting's path apart from its text, so hosts can rename it without parsing.</summary>
public sealed class OptionErrorTests
{
    private static JetstreamOptionsException Invalid(Action validate) => Assert.Throws<JetstreamOptionsException>(() => validate())!;

    [Test]
    public void Validate_BadSecondEndpoint_ErrorPathIsTheListIndex()
    {
        var options = new JetstreamOptions { Endpoints = [new Uri("wss://one.example"), new Uri("http://two.example")] };

        var e = Invalid(options.Validate);

        Assert.That(e.OptionErrors, Has.Count.EqualTo(1));
        var error = e.OptionErrors[0];
        Assert.Multiple(() =>
        {
            Assert.That(error.Owner, Is.EqualTo("JetstreamOptions"));
            Assert.That(error.Path, Is.EqualTo("Endpoints[1]"));
            Assert.That(error.Problem, Is.EqualTo("is 'http://two.example/'; its scheme is 'http', and only ws and wss are allowed."));
            Assert.That(error.Message, Is.EqualTo("JetstreamOptions.Endpoints[1] is 'http://two.example/'; its scheme is 'http', and only ws and wss are allowed."));
            Assert.That(e.Message, Is.EqualTo(error.Message), "the exception's message is unchanged");
            Assert.That(error.NameAs("--endpoint"), Does.StartWith("--endpoint is 'http://two.example/'"));
        });
    }

    [Test]
    public void Validate_SeveralProblems_OptionErrorsMatchErrorsOneForOne()
    {
        var options = new JetstreamOptions
        {
            BufferCapacity = 0,
            WantedCollections = ["app.bsky.feed.post", "*"],
            WantedDids = ["not-a-did"],
            Backoff = BackoffPolicy.Default with { Jitter = 2 },
        };

        var e = Invalid(options.Validate);

        Assert.That(e.OptionErrors.Select(x => x.Path), Is.EqualTo(new[] { "WantedCollections[1]", "WantedDids[0]", "BufferCapacity", "Backoff.Jitter" }));
        Assert.That(e.OptionErrors.Select(x => x.Message), Is.EqualTo(e.Errors));
    }

    [Test]
    public void FilterErrors_BadCollection_PathIsRelativeToTheFilter()
    {
        var errors = OptionsValidation.FilterErrors(new JetstreamFilter { WantedCollections = ["ok.example.thing", "no"] }, new JetstreamOptions()).ToList();

        Assert.That(errors.Select(e => (e.Owner, e.Path)), Is.EqualTo(new[] { ("JetstreamFilter", "WantedCollections[1]") }));
        Assert.That(errors[0].Message, Does.StartWith("JetstreamFilter.WantedCollections[1] is 'no'; each value must be a full NSID"));
    }

    [Test]
    public void FilterErrors_NullFilter_PathIsEmptyAndTheMessageNamesTheType()
    {
        var error = OptionsValidation.FilterErrors(null, new JetstreamOptions()).Single();

        Assert.That(error.Path, Is.Empty);
        Assert.That(error.Message, Is.EqualTo("JetstreamFilter is null; use new JetstreamFilter() for everything."));
    }

    [Test]
    public void Validate_BackfillWithBadLiveOptions_LivePathsAreNestedUnderLive()
    {
        var live = new JetstreamOptions { Protocol = JetstreamProtocol.V2, Endpoint = new Uri("wss://jetstream.example"), BufferCapacity = 0, WantedCollections = ["*"] };

        var e = Invalid(new JetstreamBackfillOptions(live).Validate);

        Assert.That(e.OptionErrors.Select(x => (x.Owner, x.Path)), Is.SupersetOf(new[] { ("JetstreamBackfillOptions", "Live.BufferCapacity"), ("JetstreamBackfillOptions", "Live.WantedCollections[0]") }));
        Assert.That(e.Errors, Has.Some.StartWith("JetstreamBackfillOptions.Live.BufferCapacity is 0; it must be between 1 and 10,000,000."));
    }

    [Test]
    public void Constructor_PlainMessages_HasNoStructuredErrors()
    {
        var e = new JetstreamOptionsException(["first", "second"]);

        Assert.That(e.OptionErrors, Is.Empty);
        Assert.That(e.Errors, Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public void Under_IndexOrPropertyPath_JoinsWithTheEnclosingProperty()
    {
        var error = new JetstreamOptionError("JetstreamOptions", "Endpoints[0]", "is bad.");

        Assert.That(error.Under("Outer", "Live").Message, Is.EqualTo("Outer.Live.Endpoints[0] is bad."));
        Assert.That(new JetstreamOptionError("JetstreamFilter", string.Empty, "is null.").Under("Outer", "Filter").Path, Is.EqualTo("Filter"));
    }
}
