namespace RecFeed.Tests.Hardening;

/// <summary>One malformed request and how the client behaves after sending it.</summary>
public sealed record FuzzCase(string Kind, byte[] Bytes, FuzzCase.Ending End)
{
    public enum Ending
    {
        /// <summary>Send the closer after it and read every response.</summary>
        Read,
        /// <summary>Close with FIN right after sending, reading nothing.</summary>
        HalfSent,
        /// <summary>Close with RST right after sending, reading nothing.</summary>
        Reset,
    }
}
