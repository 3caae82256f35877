using NUnit.Framework;

namespace Jetstream.Reactive.Tests.Resume;

public sealed class FileCursorStoreTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("jetstream-cursor-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task SaveAsync_ThenLoadAsync_RoundTripsEveryField()
    {
        var store = new FileCursorStore(Path.Combine(_dir, "cursor.json"));
        var cursor = new JetstreamCursor(1_779_719_009_132_431, false, 1_779_719_009_132_431, JetstreamProtocol.V2, "jetstream.us-east.bsky.network");

        await store.SaveAsync(cursor, CancellationToken.None);
        await store.SaveAsync(cursor with { Value = 43, IsSequence = true }, CancellationToken.None);

        Assert.That(await store.LoadAsync(CancellationToken.None), Is.EqualTo(cursor with { Value = 43, IsSequence = true }));
        Assert.That(Directory.GetFiles(_dir).Select(Path.GetFileName), Is.EqualTo(new[] { "cursor.json" }), "the temporary file was renamed over the old one");
    }

    [Test]
    public async Task LoadAsync_NoFile_ReturnsNull()
    {
        var store = new FileCursorStore(Path.Combine(_dir, "missing.json"));

        Assert.That(await store.LoadAsync(CancellationToken.None), Is.Null);
    }

    [TestCase("not json")]
    [TestCase("{\"cursor\":1}")]
    [TestCase("{\"protocol\":\"v9\",\"host\":\"h\",\"cursor\":1}")]
    public void LoadAsync_FileWithoutACursor_ThrowsInvalidDataNamingTheFile(string content)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, content);
        var store = new FileCursorStore(path);

        Assert.That(async () => await store.LoadAsync(CancellationToken.None), Throws.TypeOf<InvalidDataException>().With.Message.Contains(path));
    }

    [TestCase("", "is empty")]
    [TestCase("{\"protocol\":\"v1\",\"ho", "is not valid JSON")]
    [TestCase("{\"cursor\":1}", "does not hold a cursor")]
    public void LoadAsync_EmptyOrDamagedFile_ErrorNamesTheFileTheProblemAndWhatToDo(string content, string problem)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, content);
        var store = new FileCursorStore(path);

        Assert.That(
            async () => await store.LoadAsync(CancellationToken.None),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains($"'{path}' {problem}")
                .And.Message.Contains("To start over, delete it").And.Message.Contains("StartOverIfUnreadable"));
    }

    [Test]
    public async Task LoadAsync_DamagedFileWithStartOver_NoCursorAndTheFileKeptAside()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, "{\"protocol\":\"v1\",\"ho");
        var store = new FileCursorStore(path) { StartOverIfUnreadable = true };

        Assert.That(await store.LoadAsync(CancellationToken.None), Is.Null);
        Assert.That(File.Exists(path), Is.False);
        Assert.That(File.ReadAllText(path + ".unreadable"), Is.EqualTo("{\"protocol\":\"v1\",\"ho"));

        // The next save writes a good file again.
        await store.SaveAsync(new JetstreamCursor(5, true, 1_779_719_009_132_431, JetstreamProtocol.V1, "h"), CancellationToken.None);
        Assert.That((await store.LoadAsync(CancellationToken.None))!.Value, Is.EqualTo(5));
    }
}
