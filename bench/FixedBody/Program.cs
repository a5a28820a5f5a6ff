using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RecFeed.Http.Hosting;

// usage: fixedbody --urls http://127.0.0.1:PORT --length BYTES
// Answers every request with 200 and a JSON-typed body of BYTES bytes: the cost of Kestrel alone, the ceiling
// recfeed is measured against.
string? urls = null;
var length = -1;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--urls":
            urls = args[i + 1];
            break;
        case "--length":
            _ = int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out length);
            break;
    }
}
if (urls is null || length < 2 || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: fixedbody --urls http://127.0.0.1:PORT --length BYTES (at least 2)");
    return 2;
}

// A JSON array of the requested length, e.g. [1111111,1111111] padded with 1s.
var body = new byte[length];
Array.Fill(body, (byte)'1');
body[0] = (byte)'[';
body[^1] = (byte)']';

var app = TunedHost.CreateBuilder("fixedbody", [urls]).Build();
app.Run(context =>
{
    var response = context.Response;
    response.Headers.ContentType = "application/json";
    response.ContentLength = body.Length;
    var writer = response.BodyWriter;
    body.CopyTo(writer.GetSpan(body.Length));
    writer.Advance(body.Length);
    return Task.CompletedTask;
});
app.Run();
return 0;
