package dev.killswitch.controller.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One gateway as the transport reaches it.
 *
 * @param name inventory name, used in every message ("gw3")
 * @param host address or DNS name, also the known_hosts key
 * @param privateKey OpenSSH or PEM private key file (ed25519 or RSA); an encrypted one needs
 *     {@link SshTransport#PASSPHRASE_ENV}
 * @param become run commands behind {@code sudo -n --}
 * @param jumpHost {@code [user@]host[:port]} of a bastion to go through, or null
 */
public record Target(String name, String host, int port, String user, Path privateKey, boolean become,
                     String jumpHost, Duration connectTimeout, Duration commandTimeout) {

    public Target {
        requireText(name, "name", name);
        requireText(host, "host", name);
        requireText(user, "user", name);
        Objects.requireNonNull(privateKey, () -> "target " + name + ": privateKey is required");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("target " + name + ": port " + port + " is outside 1-65535");
        }
        requirePositive(connectTimeout, "connectTimeout", name);
        requirePositive(commandTimeout, "commandTimeout", name);
        if (jumpHost != null) {
            Endpoint.parse(jumpHost, user); // fail here, not at connect time
        }
    }

    /** The bastion to go through, or null for a direct connection. */
    public Endpoint jump() {
        return jumpHost == null ? null : Endpoint.parse(jumpHost, user);
    }

    /** {@code host:port} as shown in messages ({@code [v6]:port} for IPv6 literals). */
    public String address() {
        return new Endpoint(user, host, port).address();
    }

    private static void requireText(String value, String field, String target) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("target " + target + ": " + field + " is required");
        }
    }

    private static void requirePositive(Duration value, String field, String target) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("target " + target + ": " + field + " must be a positive duration");
        }
    }
}
