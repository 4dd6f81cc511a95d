package dev.killswitch.controller.lab;

/**
 * The live state of one gateway.
 *
 * @param host             the gateway
 * @param namespace        its network namespace exists
 * @param wgUp             its wg0 exists, is up, and wireguard-go answers
 * @param latestHandshake  seconds since the epoch of the last handshake with the VPN peer (0: none yet)
 * @param sshd             its sshd is running
 * @param forwarder        its SSH forwarder on 127.0.0.1 is running
 */
public record HostStatus(LabHost host, boolean namespace, boolean wgUp, long latestHandshake, boolean sshd,
                         boolean forwarder) {

    /** True when everything the gateway needs is running. */
    public boolean healthy() {
        return namespace && wgUp && sshd && forwarder;
    }
}
