package dev.killswitch.controller.rollout;

import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.ExecResult;
import dev.killswitch.controller.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent JVM's class-data archive on a gateway (AppCDS, next to the jar): it cuts each agent start by about a third
 * of its CPU. The first agent call after an upload writes it; it is then checked by the JVM itself
 * ({@code -Xshare:on}) and recorded with its checksum and the jar's, and used only while both checksums still match,
 * because a damaged archive crashes the JVM and a stale one is silently ignored.
 */
final class ClassArchive {

    /** The JVM reports archive trouble on stdout, where the agent's JSON goes: keep it quiet. */
    static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private final String jar;
    private final String archive;
    private final String checksums;

    ClassArchive(String jar) {
        this.jar = jar;
        String base = jar.endsWith(".jar") ? jar.substring(0, jar.length() - 4) : jar;
        this.archive = base + ".jsa";
        this.checksums = archive + ".sha256";
    }

    String path() {
        return archive;
    }

    /** True when the archive and the jar are the ones recorded (one {@code sha256sum --check} on the gateway). */
    boolean intact(Connection c) throws TransportException {
        return c.exec(List.of("sha256sum", "--check", "--status", "--", checksums), null, null).ok();
    }

    /** JVM flags that start the agent from the archive. */
    List<String> use() {
        List<String> flags = new ArrayList<>(List.of("-XX:SharedArchiveFile=" + archive));
        flags.addAll(QUIET);
        return flags;
    }

    /** JVM flags that make the agent write a new archive when it exits; {@link #keep} then puts it in place. */
    List<String> write() {
        List<String> flags = new ArrayList<>(List.of("-XX:ArchiveClassesAtExit=" + staged()));
        flags.addAll(QUIET);
        return flags;
    }

    /**
     * After an agent run with {@link #write()}: has the JVM verify the new archive, records the checksums and renames
     * it into place. Best effort: when anything fails the agent simply starts without an archive.
     *
     * @return true when the archive is in place and recorded
     */
    boolean keep(Connection c, List<String> jvm) {
        try {
            List<String> check = new ArrayList<>(List.of("java"));
            check.addAll(jvm);
            check.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + staged()));
            check.addAll(QUIET);
            check.addAll(List.of("-cp", jar, "-version"));
            if (!c.exec(check, null, null).ok()) {
                c.exec(List.of("rm", "-f", "--", staged()), null, null);
                return false;
            }
            String archiveSum = c.sha256(staged());
            String jarSum = c.sha256(jar);
            if (archiveSum == null || jarSum == null) {
                return false;
            }
            c.move(staged(), archive);
            String lines = archiveSum + "  " + archive + "\n" + jarSum + "  " + jar + "\n";
            ExecResult r = c.exec(List.of("dd", "of=" + checksums, "status=none"), lines.getBytes(StandardCharsets.UTF_8),
                    null);
            if (!r.ok()) {
                c.exec(List.of("rm", "-f", "--", checksums), null, null);
                return false;
            }
            return true;
        } catch (TransportException e) {
            return false; // without an archive the agent is only slower
        }
    }

    private String staged() {
        return archive + ".new";
    }
}
