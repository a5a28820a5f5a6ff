using System.Diagnostics;
using System.Globalization;

namespace RecFeed.Http.Metrics;

/// <summary>
/// The process and runtime families every Prometheus client library exports, under their usual names, so existing
/// dashboards and alerts work unchanged: CPU, memory and file descriptors from the kernel (/proc, getrusage), GC and
/// thread pool from the runtime. Read per scrape; a scrape is rare, so reading /proc files is fine here.
/// </summary>
public static class ProcessMetrics
{
    private static readonly double StartTimeUnixSeconds = ReadStartTime();

    public static void Write(PrometheusText t)
    {
        t.Single("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", Environment.CpuUsage.TotalTime.TotalSeconds);
        var (virtualBytes, residentBytes) = ReadStatm();
        t.Single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentBytes);
        t.Single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualBytes);
        t.Single("process_open_fds", "gauge", "Number of open file descriptors.", CountOpenFds());
        t.Single("process_max_fds", "gauge", "Maximum number of open file descriptors (the soft limit).", ReadMaxFds());
        t.Single("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.", StartTimeUnixSeconds);

        t.Family("dotnet_gc_collections_total", "counter", "Garbage collections by generation (a gen 1 or 2 collection also counts for the younger generations).");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            t.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(CultureInfo.InvariantCulture)));
        t.Single("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        t.Single("dotnet_gc_heap_size_bytes", "gauge", "Managed heap size after the last garbage collection, in bytes.", GC.GetGCMemoryInfo().HeapSizeBytes);
        t.Single("dotnet_gc_pause_seconds_total", "counter", "Time the runtime was paused for garbage collections, in seconds.", GC.GetTotalPauseDuration().TotalSeconds);
        t.Single("dotnet_threadpool_threads", "gauge", "Thread-pool threads.", ThreadPool.ThreadCount);
        t.Single("dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool, not yet started.", ThreadPool.PendingWorkItemCount);
        t.Single("dotnet_threadpool_completed_items_total", "counter", "Work items the thread pool has completed.", ThreadPool.CompletedWorkItemCount);
    }

        /// <summary>/proc/self/statm: sizes in pages, "VIRTUAL RESIDENT ...".</summary>
    private static (double Virtual, double Resident) ReadStatm()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        long page = Environment.SystemPageSize;
        return (long.Parse(fields[0], CultureInfo.InvariantCulture) * page,
                long.Parse(fields[1], CultureInfo.InvariantCulture) * page);
    }

    private static double CountOpenFds()
    {
        var count = 0;
        using var entries = Directory.EnumerateFileSystemEntries("/proc/self/fd").GetEnumerator();
        while (entries.MoveNext())
            count++;
        return count;
    }

    /// <summary>/proc/self/limits: "Max open files            SOFT                 HARD                 files".</summary>
    private static double ReadMaxFds()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                continue;
            var soft = line["Max open files".Length..].TrimStart().Split(' ')[0];
            return soft == "unlimited" ? double.PositiveInfinity : double.Parse(soft, CultureInfo.InvariantCulture);
        }
        return double.NaN;
    }

    private static double ReadStartTime()
    {
        using var self = Process.GetCurrentProcess();
        return new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }
}
