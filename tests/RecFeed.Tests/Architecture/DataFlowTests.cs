using NetArchTest.Rules;
using RecFeed.Feed;

namespace RecFeed.Tests.Architecture;

/// <summary>
/// README's Layout as a rule on RecFeed.Core's folders (one namespace each), read from the compiled types: the flow
/// <c>Format/ → Slab/ → Positions/ → Feed/ → State/ → Sync/</c>, where a folder may use those before it and never one after
/// it, and the three folders beside it. <c>Native/</c> (libc and native memory) and <c>Sharding/</c> (which users a
/// shard holds) are leaves anyone may use; <c>Synthetic/</c> (the data <c>generate</c> writes) is a feeds-file
/// source like an importer, so it may use the file format and the leaves, and nothing in the core uses it.
/// </summary>
public sealed class DataFlowTests
{
    private static readonly string[] Flow = ["Format", "Slab", "Positions", "Feed", "State", "Sync"];
    private static readonly string[] Leaves = ["Native", "Sharding"];
    private const string Synthetic = "Synthetic";

    public static TheoryData<string> FlowFolders => new(Flow);

    public static TheoryData<string> LeafFolders => new(Leaves);

    [Theory]
    [MemberData(nameof(FlowFolders))]
    public void A_folder_of_the_flow_uses_nothing_downstream_of_it(string folder) =>
        AssertUsesNone(folder, [.. Flow.SkipWhile(f => f != folder).Skip(1), Synthetic]);

    [Theory]
    [MemberData(nameof(LeafFolders))]
    public void A_folder_beside_the_flow_that_anyone_may_use_uses_no_other_folder(string folder) =>
        AssertUsesNone(folder, [.. Flow, .. Leaves.Where(f => f != folder), Synthetic]);

    [Fact]
    public void The_synthetic_source_uses_the_file_format_and_the_leaves_only() =>
        AssertUsesNone(Synthetic, [.. Flow.Skip(1)]);

    [Fact]
    public void Only_the_cli_uses_the_synthetic_source()
    {
        foreach (var assembly in new[] { typeof(RecFeed.Http.Lifecycle.ServeStatistics).Assembly, typeof(RecFeed.Import.FeedBuilder).Assembly })
        {
            var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOn(Namespace(Synthetic)).GetResult();
            Assert.True(result.IsSuccessful, $"{assembly.GetName().Name} uses Synthetic/: " + string.Join(", ", result.FailingTypeNames ?? []));
        }
    }

    [Fact]
    public void Every_core_folder_has_a_place_in_these_rules()
    {
        var placed = Flow.Concat(Leaves).Append(Synthetic).Select(Namespace).ToHashSet();
        var unplaced = typeof(FeedService).Assembly.GetTypes().Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith("RecFeed.", StringComparison.Ordinal) && !placed.Contains(ns))
            .Distinct().ToList();
        Assert.True(unplaced.Count == 0, "core folders the data-flow rules do not place (add them to README's Layout and here): " +
            string.Join(", ", unplaced));
    }

    private static string Namespace(string folder) => "RecFeed." + folder;

    private static void AssertUsesNone(string folder, string[] forbidden)
    {
        var result = Types.InAssembly(typeof(FeedService).Assembly)
            .That().ResideInNamespaceMatching($"^RecFeed\\.{folder}$")
            .ShouldNot().HaveDependencyOnAny([.. forbidden.Select(Namespace)])
            .GetResult();
        Assert.True(result.IsSuccessful, $"{folder}/ reaches back up the data flow (or beside it) to {string.Join("/, ", forbidden)}/: " +
            string.Join(", ", result.FailingTypeNames ?? []));
    }
}
