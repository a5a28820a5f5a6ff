using System.Globalization;
using RecFeed.Transport.Epoll;

namespace RecFeed.Http.Metrics;

/// <summary>
/// The epoll transport's families (<c>recfeed_transport_*</c>): connections, lane hand-offs, accept pauses, held
/// bytes, paused and blocked connections, loop time.
/// </summary>
public static class TransportMetrics
{
    /// <summary>The <c>reason</c> label of each <see cref="EpollCloseReason"/>, by value.</summary>
    private static readonly string[] ReasonLabels = ["client", "reset", "server", "aborted", "limit"];

    public static void Write(PrometheusText t, EpollTransportMetrics m)
    {
        t.Single("recfeed_transport_connections_open", "gauge", "Connections accepted and not closed yet.", m.ConnectionsOpen);
        t.Single("recfeed_transport_connections_accepted_total", "counter", "Connections accepted.", m.ConnectionsAccepted);
        t.Family("recfeed_transport_connections_closed_total", "counter",
            "Connections closed, by reason: client (it closed first), reset (reset or a socket error), server (Kestrel ended it: " +
            "keep-alive or headers timeout, a request over a limit, a stop), aborted (Kestrel aborted it: data rate, a stop out of time), " +
            "limit (the transport could not register it).");
        foreach (var reason in Enum.GetValues<EpollCloseReason>())
            t.Sample("recfeed_transport_connections_closed_total", m.ConnectionsClosed(reason), ("reason", ReasonLabels[(int)reason]));
        t.Single("recfeed_transport_lane_handoffs_total", "counter",
            "Connections the fast lane gave to Kestrel at a request it does not answer itself (0 with the lane off: Kestrel has them all).",
            m.ConnectionsHandedOff);
        t.Single("recfeed_transport_accept_pauses_total", "counter",
            "Times accepting paused for 100 ms because file descriptors or memory ran out (EMFILE, ENFILE, ENOBUFS, ENOMEM).", m.AcceptPauses);
        t.Single("recfeed_transport_input_held_bytes", "gauge", "Received request bytes Kestrel has not consumed yet, over all connections.", m.InputBytesHeld);
        t.Single("recfeed_transport_output_held_bytes", "gauge", "Response bytes written by Kestrel and not sent yet, over all connections.",
            m.OutputBytesHeld);
        t.Single("recfeed_transport_input_paused_connections", "gauge",
            "Connections whose reading is paused at the input bound: they sent more than Kestrel has consumed.", m.InputPausedConnections);
        t.Single("recfeed_transport_output_blocked_connections", "gauge",
            "Connections whose answers wait for the socket to take more: the client reads slowly or not at all.", m.OutputBlockedConnections);
        t.Family("recfeed_transport_loop_busy_seconds_total", "counter", "Time each epoll loop spent handling events rather than waiting for them.");
        for (var loop = 0; loop < m.LoopCount; loop++)
            t.Sample("recfeed_transport_loop_busy_seconds_total", m.BusyTime(loop).TotalSeconds, ("loop", loop.ToString(CultureInfo.InvariantCulture)));
    }
}
