using System.Text.Json;

namespace Jetstream.Reactive.Records.Internal;

internal sealed class RecordLabelsJsonConverter : UnionJsonConverter<RecordLabels>
{
    protected override Type? KnownMember(string type) => type switch
    {
        SelfLabels.TypeName => typeof(SelfLabels),
        _ => null,
    };

    protected override RecordLabels CreateUnknown(string type, JsonElement json) => new UnknownLabels(type, json);

    protected override bool TryGetRaw(RecordLabels value, out JsonElement json)
    {
        if (value is UnknownLabels unknown)
        {
            json = unknown.Json;
            return true;
        }

        json = default;
        return false;
    }
}
