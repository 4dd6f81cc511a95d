package dev.killswitch.controller.lab;

/**
 * A kind of packet a probe sends. Each probe is a fresh socket, so a new conntrack flow that an accepted
 * ESTABLISHED flow cannot hide.
 */
public enum ProbeKind {
    /** One UDP datagram to port 53; a drop in OUTPUT is reported as refused (EPERM from sendto). */
    UDP_53,
    /**
     * One TCP connection attempt to port 80, given up after 1 s. The kernel hides a SYN dropped in OUTPUT
     * (it retransmits instead of failing connect), so a local drop shows as a timeout, never as refused:
     * use the sink's counters to tell.
     */
    TCP_80,
    /** One ICMP echo request from a raw socket; a drop in OUTPUT is reported as refused (EPERM from sendto). */
    ICMP
}
