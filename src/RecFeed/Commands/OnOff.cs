namespace RecFeed.Cli.Commands;

/// <summary>A switch as a flag spells it (<c>--fast-lane on|off</c>).</summary>
internal enum OnOff
{
    Off,
    On,
}
