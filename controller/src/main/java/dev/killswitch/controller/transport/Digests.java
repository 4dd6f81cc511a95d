package dev.killswitch.controller.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as sha256sum prints it. */
final class Digests {

    private Digests() {
    }

    static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String sha256Hex(byte[] content) {
        return HexFormat.of().formatHex(sha256(content));
    }
}
