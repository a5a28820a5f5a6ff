using System.CommandLine;
using RecFeed.Cli.Commands;
using RecFeed.Http;

// Before anything opens a socket: the socket engine reads its settings once, from the environment.
ServerTuning.ApplySocketEngineDefaults();

var root = new RootCommand("recfeed: serves precomputed recommendation feeds over HTTP, remembering how far each user has read.")
{
    GenerateCommand.Create(),
    ServeCommand.Create(),
    InspectCommand.Create(),
    ImportCommand.Create(),
    HaproxyConfigCommand.Create(),
};
// serve drains requests on SIGTERM; give it longer than System.CommandLine's 2 s default before a forced exit.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = ServeCommand.ShutdownTimeout + TimeSpan.FromSeconds(5) };
return await root.Parse(args).InvokeAsync(configuration);
