using System.Globalization;
using FeedWalk;

using System.Runtime.InteropServices;

// usage: feedwalk --url http://ROUTER:PORT --users N --size K --rate PER_SECOND [--connections C]
// Asks for users 0..N-1 in turn at a steady rate until SIGTERM or SIGINT, then prints one line of figures
// (see UserLog.Figures).
var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
    settings[args[i]] = args[i + 1];
if (args.Length % 2 != 0 || !settings.TryGetValue("--url", out var url)
    || !TryNumber("--users", out var users) || !TryNumber("--size", out var size)
    || !TryNumber("--rate", out var rate))
{
    Console.Error.WriteLine("usage: feedwalk --url http://ROUTER:PORT --users N --size K --rate PER_SECOND [--connections C]");
    return 2;
}
var connections = settings.ContainsKey("--connections") && TryNumber("--connections", out var c) ? c : 16;

var log = new UserLog(users);
var walker = new Walker(new Uri(url), log, size, rate, connections);
using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
await walker.RunAsync(stop.Token);
Console.WriteLine(log.Figures(walker.Sent, walker.Failed, walker.FirstError));
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

bool TryNumber(string name, out int value)
{
    value = 0;
    return settings.TryGetValue(name, out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
