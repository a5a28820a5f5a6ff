using System.CommandLine;
using RecFeed.Cli.Commands;
using RecFeed.Http.Hosting;

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
// serve takes SIGINT and SIGTERM itself (a SIGTERM drains, a Ctrl-C does not): System.CommandLine's handler would
// cancel the command without saying which signal came, and force an exit in the middle of a drain.
var configuration = new InvocationConfiguration();
if (ServeCommand.Runs(parse))
    configuration.ProcessTerminationTimeout = null;
return await parse.InvokeAsync(configuration);
