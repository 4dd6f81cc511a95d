package dev.killswitch.controller.lab;

/**
 * A LAN behind a gateway: the gateway's {@code lan0} and one client namespace whose default route is the gateway.
 *
 * @param clientName       the client's name in the lab, like {@code lan1}
 * @param clientNamespace  the client's network namespace
 * @param gatewayInterface the gateway's interface towards the LAN
 * @param gatewayAddress   the gateway's address on the LAN
 * @param clientAddress    the client's address
 * @param subnet           the LAN, masqueraded out of the gateway's {@code wg0}
 */
public record LabLan(String clientName, String clientNamespace, String gatewayInterface, String gatewayAddress,
                     String clientAddress, String subnet) {
}
