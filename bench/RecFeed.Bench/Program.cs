using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(RecFeed.Bench.HotPathBenchmarks).Assembly).Run(args);
