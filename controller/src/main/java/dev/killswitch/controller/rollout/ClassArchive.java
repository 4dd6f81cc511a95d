package dev.killswitch.controller.rollout;

import dev.killswitch.controller.transport.Connection;
import dev.killswitch.controller.transport.TransportException;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent JVM's class-data archive on a gateway (AppCDS, next to the jar): it cuts each agent start by about a third
 * of its CPU. After a run that found none, a detached job on the gateway writes it at the lowest priority (the agent's
 * {@code warmup} run with {@code -XX:ArchiveClassesAtExit}), has the JVM check it ({@code -Xshare:on}) and records its
 * checksum and the jar's; it is used only while both still match, because a damaged archive crashes the JVM and a
 * stale one is silently ignored. Writing it in the background keeps the JVM's dump (about half a CPU-second more than
 * a plain run, plus the check) out of the first rollout, which is the one that uploads the agent to every host.
 */
final class ClassArchive {

    /** The JVM reports archive trouble on stdout, where the agent's JSON goes: keep it quiet. */
    static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    /**
     * The writer, run by {@code sh -c} with the archive, its staging path, the jar and the JVM flags as its arguments
     * (never in the script's text). It lets go of the SSH channel at once, runs one writer per archive at a time, and
     * records the jar's checksum as it was before the archive was made from it: a jar replaced meanwhile fails the
     * check later, and the next run writes the archive again.
     */
    static final String WRITER = String.join("\n",
            "exec </dev/null >/dev/null 2>&1",
            "exec 9>>\"$1.lock\" && flock -n 9 || exit 0",
            "archive=$1 staged=$2 jar=$3",
            "shift 3",
            "jarsum=$(sha256sum -- \"$jar\") || exit 1",
            "rm -f -- \"$staged\"",
            "java \"$@\" -XX:ArchiveClassesAtExit=\"$staged\" -jar \"$jar\" warmup || exit 1",
            "java \"$@\" -Xshare:on -XX:SharedArchiveFile=\"$staged\" -cp \"$jar\" -version"
                    + " || { rm -f -- \"$staged\"; exit 1; }",
            "mv -f -- \"$staged\" \"$archive\" || exit 1",
            "{ sha256sum -- \"$archive\" && printf '%s\\n' \"$jarsum\"; } > \"$archive.sha256.new\""
                    + " && mv -f -- \"$archive.sha256.new\" \"$archive.sha256\"");

    private final String jar;
    private final String archive;
    private final String checksums;

    ClassArchive(String jar) {
        this.jar = jar;
        String base = jar.endsWith(".jar") ? jar.substring(0, jar.length() - 4) : jar;
        this.archive = base + ".jsa";
        this.checksums = archive + ".sha256"; // the writer's last step names it too
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

    /** JVM flags that make an agent run write the archive's next version when it exits (the writer's first step). */
    List<String> write() {
        List<String> flags = new ArrayList<>(List.of("-XX:ArchiveClassesAtExit=" + staged()));
        flags.addAll(QUIET);
        return flags;
    }

    /**
     * Starts the writer on the gateway, detached (its own session, outliving this connection) and at the lowest
     * priority; returns at once. Best effort: without an archive the agent is only slower.
     *
     * @return true when the writer was started
     */
    boolean writeLater(Connection c, List<String> jvm) {
        List<String> argv = new ArrayList<>(List.of("setsid", "-f", "nice", "-n", "19", "sh", "-c", WRITER, "sh",
                archive, staged(), jar));
        argv.addAll(jvm);
        argv.addAll(QUIET);
        try {
            return c.exec(argv, null, null).ok();
        } catch (TransportException e) {
            return false;
        }
    }

    private String staged() {
        return archive + ".new";
    }
}
