using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Jetstream.Reactive.Hosting.Internal;

/// <summary>What <c>AddJetstream</c> was given: the configuration sections bound, whose keys name the settings in messages.</summary>
internal sealed class JetstreamSetup
{
    public List<IConfiguration> Sections { get; } = [];
}

/// <summary>
/// Checks <see cref="JetstreamHostingOptions"/> when the host starts (<c>ValidateOnStart</c>): the client settings with
/// the library's own rules (<see cref="JetstreamOptions.Validate"/>), each error named by the configuration key of its
/// path (<see cref="JetstreamOptionError.Path"/> <c>Backoff.MaxDelay</c> becomes <c>Jetstream:Backoff:MaxDelay</c>); the host's
/// settings; the keys of the section that are no setting at all (a misspelling would otherwise be ignored); and that a
/// handler is registered.
/// </summary>
internal sealed class HostingOptionsValidator(JetstreamSetup setup, IServiceProvider services) : IValidateOptions<JetstreamHostingOptions>
{
    private const string CodeName = nameof(JetstreamHostingOptions);

    private static readonly string[] CodeOnly = [nameof(JetstreamHostingOptions.FilterUpdates), nameof(JetstreamHostingOptions.Gaps), nameof(JetstreamHostingOptions.Scheduler)];

    private static readonly Dictionary<string, string[]?> Known = typeof(JetstreamHostingOptions).GetProperties()
        .Where(p => p.CanWrite && !CodeOnly.Contains(p.Name))
        .ToDictionary(
            p => p.Name,
            p => p.PropertyType == typeof(JetstreamBackoffOptions) ? typeof(JetstreamBackoffOptions).GetProperties().Select(q => q.Name).ToArray() : null,
            StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, JetstreamHostingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var section = setup.Sections.FirstOrDefault();
        var errors = new List<string>();
        if (section is not null)
        {
            foreach (var configuration in setup.Sections)
            {
                errors.AddRange(UnknownKeys(configuration));
            }
        }

        try
        {
            OptionsMapping.ToClientOptions(options).Validate();
        }
        catch (JetstreamOptionsException e)
        {
            errors.AddRange(e.OptionErrors.Select(error => error.NameAs(Key(section, error.Path))));
        }

        if (options.CursorFile is { } file && (string.IsNullOrWhiteSpace(file) || file.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || file.EndsWith('/') || file.EndsWith(Path.DirectorySeparatorChar)))
        {
            errors.Add($"{Key(section, nameof(options.CursorFile))} is '{file}'; it must be a file path such as 'state/jetstream.cursor.json', or empty to keep no cursor file.");
        }

        if (options.CursorFile is not null && services.GetService<ICursorStore>() is { } store)
        {
            errors.Add($"{Key(section, nameof(options.CursorFile))} is set and an ICursorStore ({store.GetType().Name}) is registered; use one or the other.");
        }

        if (options.HandlerBufferCapacity is < 1 or > 10_000_000)
        {
            errors.Add($"{Key(section, nameof(options.HandlerBufferCapacity))} is {options.HandlerBufferCapacity}; it must be between 1 and 10,000,000.");
        }

        if (options.HandlerBufferByteLimit < JetstreamOptions.MinBufferByteLimit)
        {
            errors.Add($"{Key(section, nameof(options.HandlerBufferByteLimit))} is {options.HandlerBufferByteLimit}; it must be at least {JetstreamOptions.MinBufferByteLimit} bytes (64 KiB).");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{Key(section, nameof(options.ShutdownTimeout))} is {options.ShutdownTimeout}; it must be between 0 and 1 hour (01:00:00).");
        }

        if (options.HealthLagThreshold < TimeSpan.FromSeconds(1) || options.HealthLagThreshold > TimeSpan.FromDays(1))
        {
            errors.Add($"{Key(section, nameof(options.HealthLagThreshold))} is {options.HealthLagThreshold}; it must be between 1 s (00:00:01) and 1 day (1.00:00:00).");
        }

        if (!services.GetServices<HandlerRegistration>().Any())
        {
            errors.Add("No Jetstream handler is registered: add one with AddJetstream(…).AddHandler<THandler>() or .AddBatchHandler<THandler>().");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>
    /// The name of a setting in messages: its configuration key under the bound section (<c>Jetstream:Endpoints:0</c>),
    /// or, when the options were only set in code, its property path (<c>JetstreamHostingOptions.Endpoints[0]</c>).
    /// </summary>
    /// <param name="section">The first section bound, if any.</param>
    /// <param name="path">The property path in C# form: <c>Backoff.MaxDelay</c>, <c>Endpoints[0]</c>.</param>
    public static string Key(IConfiguration? section, string path)
    {
        if (section is null)
        {
            return $"{CodeName}.{path}";
        }

        // Endpoints[1] → Endpoints:1, Backoff.MaxDelay → Backoff:MaxDelay: the binder's key for the same property.
        var key = path.Replace("[", ":", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Replace('.', ':');
        return section is IConfigurationSection { Path.Length: > 0 } s ? $"{s.Path}:{key}" : key;
    }

    private static IEnumerable<string> UnknownKeys(IConfiguration section)
    {
        foreach (var child in section.GetChildren())
        {
            if (!Known.TryGetValue(child.Key, out var nested))
            {
                var suggestion = Closest(child.Key, Known.Keys);
                yield return $"{child.Path} is not a Jetstream setting{(suggestion is null ? string.Empty : $"; did you mean {Key(section, suggestion)}?")} (see docs/hosting.md for the settings).";
                continue;
            }

            if (nested is null)
            {
                continue;
            }

            foreach (var grandchild in child.GetChildren())
            {
                if (!nested.Contains(grandchild.Key, StringComparer.OrdinalIgnoreCase))
                {
                    var suggestion = Closest(grandchild.Key, nested);
                    yield return $"{grandchild.Path} is not a Backoff setting{(suggestion is null ? string.Empty : $"; did you mean {child.Path}:{suggestion}?")} (the settings are {string.Join(", ", nested)}).";
                }
            }
        }
    }

    /// <summary>The known name within 3 edits of <paramref name="key"/>, ignoring case, if there is one.</summary>
    private static string? Closest(string key, IEnumerable<string> names)
    {
        string? best = null;
        var bestDistance = 4;
        foreach (var name in names)
        {
            var d = Distance(key.ToUpperInvariant(), name.ToUpperInvariant());
            if (d < bestDistance)
            {
                best = name;
                bestDistance = d;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
