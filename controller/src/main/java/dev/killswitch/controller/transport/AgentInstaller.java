package dev.killswitch.controller.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the agent jar on a gateway: checks the Java runtime, compares checksums, uploads only when they differ
 * (to a temporary name, verified, then renamed over the old jar) and proves the installed jar is the local one.
 */
public final class AgentInstaller {

    /** Where the agent lives on a gateway unless told otherwise. */
    public static final String DEFAULT_PATH = "/var/lib/killswitch/agent/killswitch-agent.jar";
    /** The oldest Java the agent runs on. */
    public static final int JAVA_RELEASE = 17;

    private static final String JRE_PACKAGE = "openjdk-17-jre-headless";
    private static final Pattern VERSION = Pattern.compile("version \"(\\d+)(?:\\.(\\d+))?");

    private final byte[] jar;
    private final String sha256;
    private final String remotePath;

    /** Installs {@code jar} at {@link #DEFAULT_PATH}. */
    public AgentInstaller(byte[] jar) {
        this(jar, DEFAULT_PATH);
    }

    public AgentInstaller(byte[] jar, String remotePath) {
        if (jar.length == 0) {
            throw new IllegalArgumentException("the agent jar is empty");
        }
        if (!remotePath.startsWith("/") || remotePath.endsWith("/")) {
            throw new IllegalArgumentException("agent path must be an absolute file path: " + remotePath);
        }
        this.jar = jar.clone();
        this.sha256 = Digests.sha256Hex(this.jar);
        this.remotePath = remotePath;
    }

    /** Where the agent is installed, its checksum, and whether this run had to upload it. */
    public record Installed(String path, String sha256, boolean uploaded) {

        /** The command that runs the installed agent with {@code args}. */
        public List<String> command(List<String> args) {
            List<String> argv = new ArrayList<>(List.of("java", "-jar", path));
            argv.addAll(args);
            return List.copyOf(argv);
        }
    }

    /** Hex SHA-256 of the local jar. */
    public String sha256() {
        return sha256;
    }

    /**
     * Makes the gateway hold exactly this jar. Java is checked when the jar has to go up, not on every run (that check
     * starts a JVM on the gateway); a host that lost its Java later fails with exit code 127, see {@link #noJava}.
     *
     * @throws RemoteError when the host has no usable Java, or the jar on the host does not match after upload
     */
    public Installed install(Connection connection) throws TransportException {
        if (sha256.equals(connection.sha256(remotePath))) {
            return new Installed(remotePath, sha256, false);
        }
        requireJava(connection);
        String staged = remotePath + ".new";
        connection.upload(jar, staged, 0644);
        String uploaded = connection.sha256(staged);
        if (!sha256.equals(uploaded)) {
            throw new RemoteError(host(connection), "host " + host(connection) + ": the uploaded agent " + staged
                    + " has checksum " + uploaded + ", expected " + sha256 + "; the old agent was left in place");
        }
        connection.move(staged, remotePath);
        verify(connection);
        return new Installed(remotePath, sha256, true);
    }

    /**
     * Refuses (throws) unless the jar on the gateway is byte for byte the local one; call before running it.
     */
    public void verify(Connection connection) throws TransportException {
        String remote = connection.sha256(remotePath);
        if (!sha256.equals(remote)) {
            throw new RemoteError(host(connection), "host " + host(connection) + ": refusing to run the agent: "
                    + remotePath + " has checksum " + (remote == null ? "(missing)" : remote) + ", expected "
                    + sha256);
        }
    }

    /** What to tell the operator about a host without Java (a command there that ran java exited 127). */
    public static String noJava(String host) {
        return "host " + host + " has no Java runtime: install " + JRE_PACKAGE + " (apt-get install -y " + JRE_PACKAGE
                + ")";
    }

    private static void requireJava(Connection connection) throws TransportException {
        String host = host(connection);
        ExecResult result = connection.exec(List.of("java", "-version"), null, null);
        if (!result.ok()) {
            throw new RemoteError(host, noJava(host));
        }
        int release = release(result.stderr() + result.stdout());
        if (release > 0 && release < JAVA_RELEASE) {
            throw new RemoteError(host, "host " + host + " has Java " + release + ", the agent needs Java "
                    + JAVA_RELEASE + " or newer: install " + JRE_PACKAGE + " (apt-get install -y " + JRE_PACKAGE
                    + ")");
        }
    }

    /** The feature release that {@code java -version} names ({@code 1.8} is 8), or 0 when it names none. */
    static int release(String versionText) {
        Matcher matcher = VERSION.matcher(versionText);
        if (!matcher.find()) {
            return 0;
        }
        int first = Integer.parseInt(matcher.group(1));
        return first == 1 && matcher.group(2) != null ? Integer.parseInt(matcher.group(2)) : first;
    }

    private static String host(Connection connection) {
        return connection.target().name();
    }
}
