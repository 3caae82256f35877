using System.Text.Json;

namespace Jetstream.Reactive.Records.Internal;

internal sealed class PostgateRuleJsonConverter : UnionJsonConverter<PostgateRule>
{
    protected override Type? KnownMember(string type) => type switch
    {
        DisableRule.TypeName => typeof(DisableRule),
        _ => null,
    };

    protected override PostgateRule CreateUnknown(string type, JsonElement json) => new UnknownPostgateRule(type, json);

    protected override bool TryGetRaw(PostgateRule value, out JsonElement json)
    {
        if (value is UnknownPostgateRule unknown)
        {
            json = unknown.Json;
            return true;
        }

        json = default;
        return false;
    }
}
