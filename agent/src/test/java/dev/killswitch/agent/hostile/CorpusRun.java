package dev.killswitch.agent.hostile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.cli.AgentMain;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import dev.killswitch.agent.plan.PersistedRules;
import dev.killswitch.agent.report.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs the real agent CLI ({@link AgentMain#run}) on many desired-state files in one JVM, which a test starts
 * inside its namespace: one JVM start for the whole corpus instead of two per file. For each file and each of
 * plan and apply it prints one JSON line: the exit code, stdout, stderr, and a hash of both families' live
 * rules before plan and after apply.
 *
 * <p>Arguments: STATE_DIR FILE...
 */
public final class CorpusRun {
    private static final CommandRunner RUN = new ProcessRunner();

    private CorpusRun() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getenv("KILLSWITCH_REQUIRE_NETNS") == null
                || RUN.run(List.of("ip", "netns", "identify"), null).stdout().isBlank()) {
            throw new IllegalStateException("CorpusRun changes iptables: run it in a test namespace only");
        }
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        String stateDir = args[0];
        for (int i = 1; i < args.length; i++) {
            String before = rulesHash();
            for (String cmd : List.of("plan", "apply")) { // plan is read-only: one hash after both proves it
                long t0 = System.nanoTime();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int exit;
                try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                     PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                    System.setOut(o);
                    System.setErr(e);
                    try {
                        exit = AgentMain.run(cmd, "--desired", args[i], "--state-dir", stateDir);
                    } catch (Throwable t) {
                        t.printStackTrace(e);
                        exit = -1; // escaped the CLI's handlers: always a failure of the case
                    }
                } finally {
                    System.setOut(realOut);
                    System.setErr(realErr);
                }
                ObjectNode line = Json.MAPPER.createObjectNode()
                        .put("file", args[i]).put("command", cmd).put("exit", exit)
                        .put("stdout", out.toString(StandardCharsets.UTF_8))
                        .put("stderr", err.toString(StandardCharsets.UTF_8))
                        .put("ms", (System.nanoTime() - t0) / 1_000_000).put("before", before)
                        .put("after", cmd.equals("plan") ? before : rulesHash());
                realOut.println(Json.MAPPER.writer().without(
                        com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(line));
            }
        }
    }

    /** SHA-256 of iptables-save and ip6tables-save without counters and dated comments. */
    static String rulesHash() throws IOException, NoSuchAlgorithmException {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (String save : List.of("iptables-save", "ip6tables-save")) {
            CommandRunner.Result r = RUN.run(List.of(save), null);
            if (!r.ok()) {
                throw new IllegalStateException(save + " failed: " + r.stderr());
            }
            d.update(PersistedRules.normalise(r.stdout()).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
