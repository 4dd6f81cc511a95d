package dev.killswitch.controller.transport;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts.KnownHostEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Strict host key checking against one known_hosts file, shared by every connection of a transport. sshj's
 * {@link OpenSSHKnownHosts} parses the file and matches names ({@code [host]:port}, hashed and wildcard entries);
 * the decision is made here so that trust on first use never accepts a key for a host that already has one.
 */
final class KnownHosts {

    /** What known_hosts says about a presented key. */
    sealed interface Verdict permits Trusted, Added, Unknown, Changed {
    }

    /** The key is in known_hosts for this host. */
    record Trusted() implements Verdict {
    }

    /** The host had no entry; the key was appended (trust on first use). */
    record Added() implements Verdict {
    }

    /** The host has no entry and new keys are not accepted. */
    record Unknown(String presented) implements Verdict {
    }

    /** The host has entries, none of them for this key (or the key is revoked). */
    record Changed(List<String> expected, String presented) implements Verdict {
    }

    private final Path file;
    private final boolean acceptNew;
    private final OpenSSHKnownHosts entries; // guarded by this

    KnownHosts(Path file, boolean acceptNew) {
        this.file = file;
        this.acceptNew = acceptNew;
        try {
            this.entries = new OpenSSHKnownHosts(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read known_hosts file " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    /** The name known_hosts (and ssh-keygen -R) uses: {@code host}, or {@code [host]:port} off port 22. */
    static String entryName(String host, int port) {
        String lower = host.toLowerCase(Locale.ROOT);
        return port == Endpoint.SSH_PORT ? lower : "[" + lower + "]:" + port;
    }

    synchronized Verdict check(String host, int port, PublicKey key) {
        String name = entryName(host, port);
        KeyType type = KeyType.fromKey(key);
        String presentedBlob = blob(key);
        String presented = type + " " + fingerprint(presentedBlob);
        List<String> expected = new ArrayList<>();
        boolean trusted = false;
        boolean revoked = false;
        try {
            for (KnownHostEntry entry : entries.entries()) {
                if (!entry.appliesTo(name)) {
                    continue;
                }
                String[] words = entry.getLine().trim().split("\\s+");
                boolean marked = words[0].startsWith("@");
                String entryType = words[marked ? 2 : 1];
                String entryBlob = words[marked ? 3 : 2];
                if (marked && words[0].equals("@revoked")) {
                    revoked |= entryBlob.equals(presentedBlob);
                    continue;
                }
                expected.add(entryType + " " + fingerprintOr(entryBlob, entry));
                trusted |= entry.appliesTo(type, name) && entry.verify(key);
            }
        } catch (IOException e) {
            return new Changed(List.of("(known_hosts entry unreadable: " + e.getMessage() + ")"), presented);
        }
        if (revoked) {
            return new Changed(List.of("(this key is marked @revoked)"), presented);
        }
        if (trusted) {
            return new Trusted();
        }
        if (!expected.isEmpty()) {
            return new Changed(expected, presented);
        }
        if (!acceptNew) {
            return new Unknown(presented);
        }
        String failure = append(name, type, key);
        return failure == null ? new Added() : new Unknown(presented + "; appending it failed: " + failure);
    }

    synchronized List<String> algorithms(String host, int port) {
        return entries.findExistingAlgorithms(host, port);
    }

    /** A verifier for one connection that remembers why it refused, for the exception the caller then throws. */
    Check newCheck() {
        return new Check();
    }

    final class Check implements HostKeyVerifier {
        private volatile Verdict refused;

        @Override
        public boolean verify(String host, int port, PublicKey key) {
            Verdict verdict = check(host, port, key);
            if (verdict instanceof Trusted || verdict instanceof Added) {
                return true;
            }
            refused = verdict;
            return false;
        }

        @Override
        public List<String> findExistingAlgorithms(String host, int port) {
            return algorithms(host, port);
        }

        /** The verdict that made this check refuse the host key, or null. */
        Verdict refused() {
            return refused;
        }
    }

    /** Appends the key and returns null, or returns why it could not. */
    private String append(String name, KeyType type, PublicKey key) {
        try {
            OpenSSHKnownHosts.HostEntry entry = new OpenSSHKnownHosts.HostEntry(null, name, type, key);
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            // A file whose last line lacks its newline would glue our entry onto that line.
            boolean needsNewline = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline();
            Files.writeString(file, (needsNewline ? "\n" : "") + entry.getLine() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            entries.entries().add(entry);
            return null;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private boolean endsWithNewline() throws IOException {
        try (var channel = Files.newByteChannel(file)) {
            var last = java.nio.ByteBuffer.allocate(1);
            channel.position(channel.size() - 1).read(last);
            return last.get(0) == '\n';
        }
    }

    private static String blob(PublicKey key) {
        return Base64.getEncoder().encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    private static String fingerprintOr(String base64Blob, KnownHostEntry entry) {
        try {
            return fingerprint(base64Blob);
        } catch (IllegalArgumentException e) { // an old "bits exponent modulus" RSA line
            return entry.getFingerprint();
        }
    }

    /** OpenSSH's fingerprint: SHA256: and the unpadded base64 of the key blob's digest. */
    static String fingerprint(String base64Blob) {
        byte[] digest = Digests.sha256(Base64.getDecoder().decode(base64Blob));
        return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    }
}
