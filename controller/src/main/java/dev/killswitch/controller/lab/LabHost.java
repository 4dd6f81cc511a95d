package dev.killswitch.controller.lab;

/**
 * One gateway of the lab, as the controller sees it.
 *
 * @param name      inventory name, like {@code gw1}
 * @param namespace its network namespace
 * @param address   its public address on {@code eth0}
 * @param sshPort   its sshd, published on 127.0.0.1 in the root namespace
 * @param wgAddress its address inside the tunnel ({@code wg0})
 * @param lan       the LAN it routes for, or null when it is not a LAN gateway
 */
public record LabHost(String name, String namespace, String address, int sshPort, String wgAddress, LabLan lan) {

    /** True when this gateway routes a LAN (LAN gateway mode). */
    public boolean lanGateway() {
        return lan != null;
    }
}
