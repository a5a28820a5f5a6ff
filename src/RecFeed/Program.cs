using System.CommandLine;
using RecFeed.Cli.Commands;

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
