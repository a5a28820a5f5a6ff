using System.CommandLine;
using RecFeed.Cli.Commands;
using RecFeed.Http;

// Before anything opens a socket: the socket engine reads its settings once, from the environment.
ServerTuning.ApplySocketEngineDefaults();
// What CoreCLR would have done at start: a connection is a descriptor, and the operator's limit is the hard one.
DescriptorLimit.RaiseSoftToHard();

var root = new RootCommand("recfeed: serves precomputed recommendation feeds over HTTP, remembering how far each user has read.")
{
    GenerateCommand.Create(),
    ServeCommand.Create(),
    InspectCommand.Create(),
    ImportCommand.Create(),
    HaproxyConfigCommand.Create(),
};
var parse = root.Parse(args);
// serve drains and finishes requests on SIGTERM; give it that long, not System.CommandLine's 2 s, before a forced exit.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = ServeCommand.StopBudget(parse) };
return await parse.InvokeAsync(configuration);
