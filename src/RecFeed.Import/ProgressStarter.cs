namespace RecFeed.Import;

/// <summary>
/// Starts a progress display for one phase of an import (reading, then writing) that has <paramref name="total"/> to
/// do, shown as multiples of <paramref name="unitSize"/> in <paramref name="unit"/>s; returns the phase's reporter.
/// </summary>
public delegate Action<long>? ProgressStarter(long total, string unit, long unitSize);
