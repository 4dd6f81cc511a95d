package dev.killswitch.agent.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile desired-state corpus (src/test/resources/hostile/desired, INDEX.tsv) and a few huge inputs made
 * here: the real agent's plan and apply each exit 1 with an error naming the file, line and field, and the live
 * rules of the one test namespace never change.
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileDesiredTest {
    static final String CORPUS = "hostile/desired";
    static final String GOOD = Gateway.resource("killswitch/desired.yaml");

    Gateway gw;
    Path generated;
    String rulesBefore;
    Map<String, Map<String, JsonNode>> results;

    /** Inputs too big to commit, written by the test: each with the error it must get. */
    static Map<String, HostileCase> huge() {
        Map<String, HostileCase> m = new LinkedHashMap<>();
        m.put("huge-9MiB.yaml", new HostileCase("huge-9MiB.yaml", 1, 0, "", "larger than 8 MiB"));
        m.put("huge-comment.yaml", new HostileCase("huge-comment.yaml", 1, 22, "ipv4.filter.chains.OUTPUT[4]", ""));
        m.put("huge-nesting.yaml", new HostileCase("huge-nesting.yaml", 1, 4, "", "nested deeper"));
        m.put("huge-flow-mapping.yaml", new HostileCase("huge-flow-mapping.yaml", 1, 7, "x", "x"));
        m.put("invalid-utf8.yaml", new HostileCase("invalid-utf8.yaml", 1, 6, "", "not valid UTF-8"));
        return m;
    }

    static byte[] hugeContent(String name) {
        return switch (name) {
            case "huge-9MiB.yaml" -> (GOOD + "#" + "x".repeat(9 * 1024 * 1024) + "\n").getBytes(StandardCharsets.UTF_8);
            case "huge-comment.yaml" -> GOOD.replace("- -o wg0 -j ACCEPT",
                    "- -o wg0 -m comment --comment " + "x".repeat(4 * 1024 * 1024) + " -j ACCEPT")
                    .getBytes(StandardCharsets.UTF_8);
            case "huge-nesting.yaml" -> ("apiVersion: killswitch/v1\nkind: DesiredState\nhost: gw\nguards: "
                    + "[".repeat(1_000_000) + "\n").getBytes(StandardCharsets.UTF_8);
            case "huge-flow-mapping.yaml" -> {
                StringBuilder x = new StringBuilder("x: {");
                for (int i = 0; i < 200_000; i++) {
                    x.append("k").append(i).append(": v, ");
                }
                yield GOOD.replace("host: gw-test", "host: gw-test\n" + x + "}").getBytes(StandardCharsets.UTF_8);
            }
            case "invalid-utf8.yaml" -> {
                byte[] good = GOOD.replace("host: gw-test", "host: gw-tXst").getBytes(StandardCharsets.UTF_8);
                String s = new String(good, StandardCharsets.ISO_8859_1);
                byte[] b = good.clone();
                b[s.indexOf("gw-tXst") + 4] = (byte) 0xff;
                yield b;
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    static Path corpusDir() {
        try {
            return Path.of(HostileDesiredTest.class.getResource("/" + CORPUS + "/INDEX.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (HostileCase c : HostileCase.index(CORPUS)) {
            all.add(Arguments.of(c.file(), c));
        }
        huge().values().forEach(c -> all.add(Arguments.of(c.file(), c)));
        return all.stream();
    }

    /** Runs the whole corpus once, in one agent JVM inside one namespace. */
    private synchronized Map<String, Map<String, JsonNode>> results() throws IOException {
        if (results != null) {
            return results;
        }
        gw = new Gateway("hostile");
        gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
        rulesBefore = gw.rules();
        generated = Files.createTempDirectory("ks-t-hostile-");
        List<String> args = new ArrayList<>(List.of(gw.stateDir.toString()));
        for (HostileCase c : HostileCase.index(CORPUS)) {
            args.add(corpusDir().resolve(c.file()).toString());
        }
        for (String name : huge().keySet()) {
            Path p = generated.resolve(name);
            Files.write(p, hugeContent(name));
            args.add(p.toString());
        }
        List<String> argv = AgentProcess.argv(Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION),
                args.toArray(String[]::new));
        argv.set(argv.indexOf("dev.killswitch.agent.cli.AgentMain"), CorpusRun.class.getName());
        argv.add(argv.indexOf("-cp"), "-Xmx512m");
        CommandRunner.Result r = gw.ns.exec(argv, null);
        assertEquals(0, r.exitCode(), "the corpus runner itself failed: " + r.stderr());
        Map<String, Map<String, JsonNode>> out = new HashMap<>();
        for (String line : r.stdout().split("\n")) {
            JsonNode n = Json.MAPPER.readTree(line);
            out.computeIfAbsent(n.path("file").asText(), k -> new HashMap<>()).put(n.path("command").asText(), n);
        }
        results = out;
        return out;
    }

    @AfterAll
    void down() throws IOException {
        if (gw != null) {
            gw.close();
        }
        if (generated != null) {
            try (var s = Files.walk(generated)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadInputIsRefusedWithFileLineAndFieldAndTheHostIsUnchanged(String name, HostileCase c)
            throws IOException {
        Map<String, Map<String, JsonNode>> all = results();
        String path = (huge().containsKey(name) ? generated : corpusDir()).resolve(name).toString();
        Map<String, JsonNode> runs = all.get(path);
        assertTrue(runs != null && runs.size() == 2, "no result for " + path);
        for (JsonNode run : runs.values()) {
            String cmd = run.path("command").asText();
            String stderr = run.path("stderr").asText();
            assertNull(c.problem(path, run.path("exit").asInt(), stderr), cmd + " " + name + ": " + stderr);
            assertEquals(run.path("before").asText(), run.path("after").asText(), cmd + " " + name
                    + " changed the live rules");
        }
    }

    @Test
    void theCorpusHasAtLeastOneHundredCasesAndTheHostEndsAsItStarted() throws IOException {
        results();
        assertTrue(HostileCase.index(CORPUS).size() + huge().size() >= 100);
        assertEquals(rulesBefore, gw.rules());
    }
}
