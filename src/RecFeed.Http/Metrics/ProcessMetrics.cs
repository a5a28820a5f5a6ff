using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace RecFeed.Http.Metrics;

/// <summary>
/// The process and runtime families every Prometheus client library exports, under their usual names, so existing
/// dashboards and alerts work unchanged: CPU, memory and file descriptors from the kernel, GC and thread pool from
/// the runtime. A scrape does the same work however many connections are open and opens no descriptor: it must
/// answer when the table is full. A value that cannot be read now leaves its sample out, never the scrape.
/// </summary>
public static class ProcessMetrics
{
    private static readonly ProcFile Statm = new("/proc/self/statm");
    private static double? s_startTimeUnixSeconds;

    public static void Write(PrometheusText t)
    {
        t.Single("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", Environment.CpuUsage.TotalTime.TotalSeconds);
        if (ReadStatm() is { } memory)
        {
            t.Single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", memory.Resident);
            t.Single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", memory.Virtual);
        }
        if (ProcSelf.OpenDescriptors() is { } open)
            t.Single("process_open_fds", "gauge", "Number of open file descriptors.", open);
        t.Single("process_max_fds", "gauge", "Maximum number of open file descriptors (the soft limit).", ProcSelf.DescriptorLimit());
        if (StartTime() is { } started)
            t.Single("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.", started);

        t.Family("dotnet_gc_collections_total", "counter",
            "Garbage collections by generation (a gen 1 or 2 collection also counts for the younger generations).");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
            t.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(CultureInfo.InvariantCulture)));
        t.Single("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.", GC.GetTotalAllocatedBytes());
        t.Single("dotnet_gc_heap_size_bytes", "gauge", "Managed heap size after the last garbage collection, in bytes.", GC.GetGCMemoryInfo().HeapSizeBytes);
        t.Single("dotnet_gc_pause_seconds_total", "counter", "Time the runtime was paused for garbage collections, in seconds.",
            GC.GetTotalPauseDuration().TotalSeconds);
        t.Single("dotnet_threadpool_threads", "gauge", "Thread-pool threads.", ThreadPool.ThreadCount);
        t.Single("dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool, not yet started.", ThreadPool.PendingWorkItemCount);
        t.Single("dotnet_threadpool_completed_items_total", "counter", "Work items the thread pool has completed.", ThreadPool.CompletedWorkItemCount);
    }

    /// <summary>/proc/self/statm: sizes in pages, "VIRTUAL RESIDENT ...".</summary>
    private static (double Virtual, double Resident)? ReadStatm()
    {
        if (Statm.TryReadText(stackalloc byte[256]) is not { } text)
            return null;
        var fields = text.Split(' ');
        long page = Environment.SystemPageSize;
        return (long.Parse(fields[0], CultureInfo.InvariantCulture) * page,
                long.Parse(fields[1], CultureInfo.InvariantCulture) * page);
    }

    /// <summary>Read once, at the first scrape that can open /proc/self/stat.</summary>
    private static double? StartTime()
    {
        if (s_startTimeUnixSeconds is null)
        {
            try
            {
                using var self = Process.GetCurrentProcess();
                s_startTimeUnixSeconds = new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Win32Exception)
            {
            }
        }
        return s_startTimeUnixSeconds;
    }
}
