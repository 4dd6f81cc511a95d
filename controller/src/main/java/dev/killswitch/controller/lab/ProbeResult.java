package dev.killswitch.controller.lab;

/**
 * What one probe saw.
 *
 * @param node     where it was sent from (a gateway, a LAN client...)
 * @param kind     what was sent
 * @param target   the destination address
 * @param refused  the kernel refused the send with EPERM: a rule in OUTPUT (or FORWARD) dropped it
 * @param exitCode the probe program's exit code (0: sent, and for ICMP answered)
 * @param detail   the probe program's messages
 */
public record ProbeResult(String node, ProbeKind kind, String target, boolean refused, int exitCode, String detail) {

    /** True when the probe program reported success (UDP sent, TCP connected, ICMP answered). */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
