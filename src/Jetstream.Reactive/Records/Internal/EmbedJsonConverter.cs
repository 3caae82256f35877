using System.Text.Json;

namespace Jetstream.Reactive.Records.Internal;

internal sealed class EmbedJsonConverter : UnionJsonConverter<Embed>
{
    protected override Type? KnownMember(string type) => type switch
    {
        ImagesEmbed.TypeName => typeof(ImagesEmbed),
        VideoEmbed.TypeName => typeof(VideoEmbed),
        ExternalEmbed.TypeName => typeof(ExternalEmbed),
        RecordEmbed.TypeName => typeof(RecordEmbed),
        RecordWithMediaEmbed.TypeName => typeof(RecordWithMediaEmbed),
        _ => null,
    };

    protected override Embed CreateUnknown(string type, JsonElement json) => new UnknownEmbed(type, json);

    protected override bool TryGetRaw(Embed value, out JsonElement json)
    {
        if (value is UnknownEmbed unknown)
        {
            json = unknown.Json;
            return true;
        }

        json = default;
        return false;
    }
}
