using System.Text.Json;

namespace Jetstream.Reactive.Records.Internal;

internal sealed class FacetFeatureJsonConverter : UnionJsonConverter<FacetFeature>
{
    protected override Type? KnownMember(string type) => type switch
    {
        MentionFeature.TypeName => typeof(MentionFeature),
        LinkFeature.TypeName => typeof(LinkFeature),
        TagFeature.TypeName => typeof(TagFeature),
        _ => null,
    };

    protected override FacetFeature CreateUnknown(string type, JsonElement json) => new UnknownFacetFeature(type, json);

    protected override bool TryGetRaw(FacetFeature value, out JsonElement json)
    {
        if (value is UnknownFacetFeature unknown)
        {
            json = unknown.Json;
            return true;
        }

        json = default;
        return false;
    }
}
