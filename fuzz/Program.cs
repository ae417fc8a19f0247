// AkkaSfu.Fuzz <target>                 under afl-fuzz: SharpFuzz's fork server, persistent (scripts/fuzz.sh)
// AkkaSfu.Fuzz <target> <file|dir>...   replay inputs once each (a crash's input, a corpus); exit 1 on a finding
// AkkaSfu.Fuzz --seeds <dir>            write the seed corpus, one folder per target
// AkkaSfu.Fuzz <target> --mutate <dir> N  N seeded mutations of the corpus in-process (no AFL); exit 1 on a finding
// AkkaSfu.Fuzz --list                   the target names
using AkkaSfu.Fuzz;
using SharpFuzz;

if (args.Length == 0 || args[0] == "--list")
{
    foreach (var name in FuzzTargets.All.Keys) Console.WriteLine(name);
    return args.Length == 0 ? 2 : 0;
}
if (args[0] == "--seeds")
{
    foreach (var (name, seeds) in Seeds.ByTarget())
    {
        var dir = Directory.CreateDirectory(Path.Combine(args[1], name)).FullName;
        foreach (var (file, text) in seeds) File.WriteAllText(Path.Combine(dir, file + ".json"), text);
    }
    File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(args[1], "packets")).FullName, "rtp.bin"),
        Convert.FromHexString("90600001000000010000000abede00011000ff00deadbeef"));
    return 0;
}
if (!FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"unknown target \"{args[0]}\"; known: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}
if (args.Length == 4 && args[1] == "--mutate")
{
    var seeds = Directory.GetFiles(args[2]).Order().Select(File.ReadAllBytes).ToArray();
    var mutator = new Mutator(seed: 1);
    var count = long.Parse(args[3]);
    for (long i = 0; i < count; i++)
    {
        var input = mutator.Mutate(seeds[i % seeds.Length], seeds[(i * 7 + 3) % seeds.Length]);
        try { target(input); }
        catch (Exception e)
        {
            var file = Path.Combine(Path.GetTempPath(), $"finding-{args[0]}-{i}.bin");
            File.WriteAllBytes(file, input);
            Console.WriteLine($"input {i} ({file}): {e}");
            return 1;
        }
    }
    Console.WriteLine($"{count} mutations, no finding");
    return 0;
}
if (args.Length > 1)
{
    var files = args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order().ToArray();
    foreach (var file in files)
    {
        try { target(File.ReadAllBytes(file)); }
        catch (Exception e)
        {
            Console.WriteLine($"{file}: {e}");
            return 1;
        }
    }
    Console.WriteLine($"{files.Length} inputs, no finding");
    return 0;
}
Fuzzer.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
