using System.Text.Json;

namespace Jetstream.Reactive.Records.Internal;

internal sealed class ThreadgateRuleJsonConverter : UnionJsonConverter<ThreadgateRule>
{
    protected override Type? KnownMember(string type) => type switch
    {
        MentionRule.TypeName => typeof(MentionRule),
        FollowerRule.TypeName => typeof(FollowerRule),
        FollowingRule.TypeName => typeof(FollowingRule),
        ListRule.TypeName => typeof(ListRule),
        _ => null,
    };

    protected override ThreadgateRule CreateUnknown(string type, JsonElement json) => new UnknownThreadgateRule(type, json);

    protected override bool TryGetRaw(ThreadgateRule value, out JsonElement json)
    {
        if (value is UnknownThreadgateRule unknown)
        {
            json = unknown.Json;
            return true;
        }

        json = default;
        return false;
    }
}
