package dev.killswitch.controller.render;

import dev.killswitch.agent.desired.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * Turns endpoint host names into addresses on the controller: a gateway whose DNS is locked down
 * can never resolve them itself. A re-run follows a provider's rotation.
 */
@FunctionalInterface
public interface Resolver {

    /** @throws IllegalArgumentException naming the host when it cannot be resolved */
    String resolve(String host);

    /** Overrides first, then address literals as they are, then the controller's resolver. */
    static Resolver system(Map<String, String> overrides) {
        return host -> {
            String o = overrides.get(host);
            if (o != null) {
                return o;
            }
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            try {
                Cidr.address(bare);
                return bare;
            } catch (IllegalArgumentException notLiteral) {
                try {
                    return InetAddress.getByName(bare).getHostAddress();
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("cannot resolve endpoint host '" + host + "' on the controller");
                }
            }
        };
    }
}
