package dev.killswitch.controller.transport;

import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnownHostsTest {

    private static PublicKey hostKey;
    private static PublicKey otherKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        hostKey = rsa.generateKeyPair().getPublic();
        otherKey = rsa.generateKeyPair().getPublic();
    }

    @Test
    void trustsAPlainEntryAndAPortEntry() throws Exception {
        KnownHosts known = file("10.0.0.3 " + line(hostKey), "[10.0.0.4]:2222 " + line(hostKey));
        assertInstanceOf(KnownHosts.Trusted.class, known.check("10.0.0.3", 22, hostKey));
        assertInstanceOf(KnownHosts.Trusted.class, known.check("10.0.0.4", 2222, hostKey));
        assertInstanceOf(KnownHosts.Unknown.class, known.check("10.0.0.4", 22, hostKey));
    }

    @Test
    void trustsAHashedEntry() throws Exception {
        KnownHosts known = file(hashed("[gw3.example]:2222") + " " + line(hostKey));
        assertInstanceOf(KnownHosts.Trusted.class, known.check("gw3.example", 2222, hostKey));
        assertInstanceOf(KnownHosts.Unknown.class, known.check("gw4.example", 2222, hostKey));
    }

    @Test
    void aChangedKeyNamesTheExpectedAndThePresentedFingerprint() throws Exception {
        KnownHosts known = file("gw3 " + line(hostKey));
        KnownHosts.Changed changed = assertInstanceOf(KnownHosts.Changed.class, known.check("gw3", 22, otherKey));
        assertEquals(List.of("ssh-rsa " + fingerprint(hostKey)), changed.expected());
        assertEquals("ssh-rsa " + fingerprint(otherKey), changed.presented());
    }

    @Test
    void anUnknownHostIsRefusedWithoutTrustOnFirstUse() throws Exception {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "other " + line(hostKey) + "\n");
        KnownHosts known = new KnownHosts(file, false);
        assertInstanceOf(KnownHosts.Unknown.class, known.check("gw3", 22, hostKey));
        assertEquals("other " + line(hostKey) + "\n", Files.readString(file));
    }

    @Test
    void trustOnFirstUseAppendsTheKeyOnceAndTheNextRunTrustsIt() throws Exception {
        Path file = dir.resolve("ssh/known_hosts"); // neither the file nor its directory exist yet
        KnownHosts known = new KnownHosts(file, true);
        assertInstanceOf(KnownHosts.Added.class, known.check("10.0.0.9", 2200, hostKey));
        assertInstanceOf(KnownHosts.Trusted.class, known.check("10.0.0.9", 2200, hostKey));
        assertEquals("[10.0.0.9]:2200 " + line(hostKey) + "\n", Files.readString(file));
        assertInstanceOf(KnownHosts.Trusted.class, new KnownHosts(file, false).check("10.0.0.9", 2200, hostKey));
    }

    @Test
    void trustOnFirstUseNeverAcceptsAChangedKey() throws Exception {
        KnownHosts known = new KnownHosts(write("gw3 " + line(hostKey)), true);
        assertInstanceOf(KnownHosts.Changed.class, known.check("gw3", 22, otherKey));
        assertEquals(1, Files.readAllLines(known.file()).size());
    }

    @Test
    void trustOnFirstUseDoesNotAddAKeyOfAnotherTypeForAKnownHost() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        PublicKey ecKey = ec.generateKeyPair().getPublic();
        KnownHosts known = new KnownHosts(write("gw3 " + line(hostKey)), true);
        KnownHosts.Changed changed = assertInstanceOf(KnownHosts.Changed.class, known.check("gw3", 22, ecKey));
        assertTrue(changed.presented().startsWith("ecdsa-sha2-nistp256 SHA256:"), changed.presented());
    }

    @Test
    void aRevokedKeyIsRefusedEvenWhenAlsoListed() throws Exception {
        KnownHosts known = file("@revoked * " + line(hostKey), "gw3 " + line(hostKey));
        assertInstanceOf(KnownHosts.Changed.class, known.check("gw3", 22, hostKey));
    }

    @Test
    void appendingAfterALastLineWithoutNewlineKeepsLinesApart() throws Exception {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, "other " + line(otherKey)); // no trailing newline
        new KnownHosts(file, true).check("gw3", 22, hostKey);
        assertEquals(List.of("other " + line(otherKey), "gw3 " + line(hostKey)), Files.readAllLines(file));
        assertFalse(Files.readString(file).contains(line(otherKey) + "gw3"));
    }

    private KnownHosts file(String... lines) throws Exception {
        return new KnownHosts(write(lines), false);
    }

    private Path write(String... lines) throws Exception {
        Path file = dir.resolve("known_hosts");
        Files.write(file, List.of(lines));
        return file;
    }

    private static String line(PublicKey key) {
        return "ssh-rsa " + Base64.getEncoder().encodeToString(blob(key));
    }

    private static byte[] blob(PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    private static String fingerprint(PublicKey key) {
        return KnownHosts.fingerprint(Base64.getEncoder().encodeToString(blob(key)));
    }

    /** OpenSSH's hashed host name: |1|salt|HMAC-SHA1(salt, name). */
    private static String hashed(String name) throws Exception {
        byte[] salt = new byte[20];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 7 + 1);
        }
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|" + Base64.getEncoder().encodeToString(hash);
    }
}
