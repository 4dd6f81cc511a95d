package dev.killswitch.controller.transport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Two gateways for SSH tests, each a network namespace with its own sshd: A (10.77.0.1) and B (10.77.0.2), joined
 * by one veth pair, so B is reachable only through A. The root namespace gets no address, route or link; the test
 * JVM reaches A's sshd through socat forwarders listening on 127.0.0.1 that enter A's namespace per connection.
 */
final class SshLab implements AutoCloseable {

    static final String ADDRESS_A = "10.77.0.1";
    static final String ADDRESS_B = "10.77.0.2";

    final String prefix = "ks-t-ssh-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    final String nsA = prefix + "-a";
    final String nsB = prefix + "-b";
    final Path dir;
    final Path clientKey;
    final Path clientRsaKey;
    /** Forwarder to A's sshd. */
    int portA;
    /** Forwarder to a port of A where nothing listens. */
    int portClosed;
    /** Forwarder to a listener in A that accepts and never says anything. */
    int portSilent;

    private static final String SUDO_STAND_IN = String.join("\n",
            "#!/bin/sh",
            "# Lab stand-in for sudo: the login is already root. Insists on -n --, logs the command, runs it.",
            "[ \"$1\" = -n ] && [ \"$2\" = -- ] || { echo 'sudo stand-in: expected -n --' >&2; exit 1; }",
            "shift 2",
            "printf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/../sudo.log\"",
            "exec \"$@\"",
            "");

    private final List<Process> processes = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    SshLab() throws IOException {
        Assumptions.assumeTrue(isRoot(), "netns tests need root");
        for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/socat")) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of(tool)), tool + " is needed");
        }
        dir = Files.createTempDirectory("ks-t-ssh-");
        clientKey = dir.resolve("id_ed25519");
        clientRsaKey = dir.resolve("id_rsa");
    }

    /** Builds both namespaces, keys, sshds and forwarders; waits until they answer. */
    SshLab start() throws Exception {
        run("ip", "netns", "add", nsA);
        namespaces.add(nsA);
        run("ip", "netns", "add", nsB);
        namespaces.add(nsB);
        run("ip", "link", "add", "a0", "netns", nsA, "type", "veth", "peer", "name", "b0", "netns", nsB);
        for (String[] side : new String[][] {{nsA, "a0", ADDRESS_A}, {nsB, "b0", ADDRESS_B}}) {
            run("ip", "-n", side[0], "link", "set", "lo", "up");
            run("ip", "-n", side[0], "addr", "add", side[2] + "/24", "dev", side[1]);
            run("ip", "-n", side[0], "link", "set", side[1], "up");
        }
        keygen("ed25519", clientKey);
        keygen("rsa", clientRsaKey);
        keygen("ed25519", hostKey("a"));
        keygen("ed25519", hostKey("b"));
        Files.writeString(dir.resolve("authorized_keys"),
                Files.readString(pub(clientKey)) + Files.readString(pub(clientRsaKey)));
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(bin.resolve("sudo"), SUDO_STAND_IN);
        bin.resolve("sudo").toFile().setExecutable(true);
        sshd("a", nsA, ADDRESS_A);
        sshd("b", nsB, ADDRESS_B);
        start(List.of("ip", "netns", "exec", nsA, "socat", "TCP-LISTEN:2223,bind=" + ADDRESS_A + ",reuseaddr,fork",
                "EXEC:sleep 60"));
        awaitLog("a", "Server listening on " + ADDRESS_A);
        awaitLog("b", "Server listening on " + ADDRESS_B);
        portA = forward(ADDRESS_A, 22);
        portClosed = forward(ADDRESS_A, 2222);
        portSilent = forward(ADDRESS_A, 2223);
        return this;
    }

    Path hostKey(String gateway) {
        return dir.resolve("host_" + gateway);
    }

    static Path pub(Path key) {
        return Path.of(key + ".pub");
    }

    /** "ssh-ed25519 AAAA..." of a host key, as known_hosts holds it after the host name. */
    String hostKeyLine(String gateway) throws IOException {
        String[] words = Files.readString(pub(hostKey(gateway))).trim().split("\\s+");
        return words[0] + " " + words[1];
    }

    /** The fingerprint ssh-keygen prints for a host key ("SHA256:..."). */
    String fingerprint(String gateway) throws Exception {
        return run("ssh-keygen", "-l", "-E", "sha256", "-f", pub(hostKey(gateway)).toString()).split("\\s+")[1];
    }

    /** How many logins sshd of a gateway has accepted so far. */
    long acceptedLogins(String gateway) throws IOException {
        try (Stream<String> lines = Files.lines(dir.resolve("sshd_" + gateway + ".log"))) {
            return lines.filter(line -> line.contains("Accepted publickey")).count();
        }
    }

    /** Commands the sudo stand-in ran, one per line, words joined by spaces. */
    List<String> sudoLog() throws IOException {
        Path log = dir.resolve("sudo.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    Target gatewayA(String name, Path key) {
        return new Target(name, "127.0.0.1", portA, "root", key, false, null, Duration.ofSeconds(5),
                Duration.ofSeconds(20));
    }

    String run(String... argv) throws Exception {
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            try {
                // Anything still inside (a session child of sshd) was started by this lab.
                for (String pid : run("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                run("ip", "netns", "del", ns);
            } catch (Exception e) {
                System.err.println("cleanup of namespace " + ns + " failed: " + e.getMessage());
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("cleanup of " + dir + " failed: " + e.getMessage());
        }
    }

    private void keygen(String type, Path file) throws Exception {
        run("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "ks-test", "-f", file.toString());
    }

    private void sshd(String gateway, String ns, String address) throws Exception {
        Path config = dir.resolve("sshd_" + gateway + ".conf");
        Files.writeString(config, String.join("\n",
                "HostKey " + hostKey(gateway),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "Subsystem sftp internal-sftp",
                "MaxStartups 200",
                "MaxSessions 100",
                "LogLevel VERBOSE",
                // The lab logs in as root and has no sudo: a stand-in that records its calls proves become.
                // SHLVL=1: bash then skips this machine's root .bashrc (pyenv init, ~0.5 s and a global lock
                // per command; 50 parallel commands timed out behind it), as a real gateway's shell starts bare.
                "SetEnv PATH=" + dir.resolve("bin") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                        + " SHLVL=1",
                ""));
        start(List.of("ip", "netns", "exec", ns, "/usr/sbin/sshd", "-D", "-f", config.toString(),
                "-E", dir.resolve("sshd_" + gateway + ".log").toString(),
                "-o", "ListenAddress=" + address + ":22", "-o", "PidFile=" + dir.resolve("sshd_" + gateway + ".pid")));
    }

    /** A socat in the root namespace on 127.0.0.1 that enters A's namespace for each connection. */
    private int forward(String address, int port) throws Exception {
        int local = freePort();
        // socat splits the EXEC line into words itself (no shell); ':' inside it must be escaped.
        start(List.of("socat", "TCP-LISTEN:" + local + ",bind=127.0.0.1,reuseaddr,fork",
                "EXEC:ip netns exec " + nsA + " socat STDIO TCP\\:" + address + "\\:" + port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), local)) {
                return local;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("forwarder on port " + local + " did not start", e);
                }
                Thread.sleep(50);
            }
        }
    }

    private void start(List<String> argv) throws IOException {
        Path log = dir.resolve("process-" + processes.size() + ".log");
        processes.add(new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }

    private void awaitLog(String gateway, String text) throws Exception {
        Path log = dir.resolve("sshd_" + gateway + ".log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sshd " + gateway + " did not start: "
                        + (Files.exists(log) ? Files.readString(log) : "no log"));
            }
            Thread.sleep(50);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean isRoot() {
        try {
            Process process = new ProcessBuilder("id", "-u").start();
            String uid = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor() == 0 && uid.equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
