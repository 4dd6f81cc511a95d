package dev.killswitch.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Netns;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No perpetual drift, on real dumps and on non-canonical spellings: a host loaded with a dump and
 * planned against the import of that same dump has nothing to do, with either canonicaliser; and
 * applying the import to an empty host reproduces the kernel-canonical dump (a fixpoint).
 */
@Tag("netns")
class CorpusDriftTest {

    static Stream<String> dumps() throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir("corpus/public-canonical"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".rules")).sorted()
                    .forEach(n -> out.add("public/" + n));
        }
        try (Stream<Path> s = Files.list(dir("corpus/generated"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".rules")).sorted()
                    .forEach(n -> out.add("generated/" + n));
        }
        return out.stream();
    }

    static Path dir(String name) throws URISyntaxException {
        URL u = CorpusDriftTest.class.getResource("/" + name);
        return Path.of(u.toURI());
    }

    static boolean ipv6(String name) {
        String n = name.substring(name.lastIndexOf('/') + 1);
        return n.contains("ip6") || n.contains("v6");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumps")
    void importedDumpPlansEmptyAndAppliesToAFixpoint(String name) throws Exception {
        Path dump = dir("corpus").resolve(name);
        boolean v6 = ipv6(name);
        String family = v6 ? "ipv6" : "ipv4";
        Path yaml = Files.createTempFile("ks-t-import-", ".yaml");
        try (Netns loaded = Netns.create("drift")) {
            loaded.restore(Files.readString(dump), v6);
            String kernel = loaded.save(v6);
            CommandRunner.Result imp = AgentProcess.run(loaded, null, "import", "--from", dump.toString(),
                    "--family", family);
            assertEquals(0, imp.exitCode(), imp.stderr());
            Files.writeString(yaml, imp.stdout());
            for (String canon : new String[] {"builtin", "kernel"}) {
                CommandRunner.Result plan = AgentProcess.run(loaded, null, "plan", "--desired", yaml.toString(),
                        "--canonicalizer", canon, "--state-dir", yaml.getParent().resolve(yaml + ".state").toString());
                assertEquals(0, plan.exitCode(), canon + ": plan of the import must be empty:\n" + plan.stdout()
                        + plan.stderr());
            }
            try (Netns empty = Netns.create("fix")) {
                CommandRunner.Result apply = AgentProcess.run(empty, null, "apply", "--force", "--desired",
                        yaml.toString(), "--state-dir", Files.createTempDirectory("ks-t-state-").toString());
                assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
                assertEquals(PersistedRules.normalise(kernel), PersistedRules.normalise(empty.save(v6)),
                        "apply into an empty host gives the kernel-canonical dump");
                CommandRunner.Result again = AgentProcess.run(empty, null, "plan", "--desired", yaml.toString(),
                        "--state-dir", Files.createTempDirectory("ks-t-state-").toString());
                assertEquals(0, again.exitCode(), "second plan is empty:\n" + again.stdout() + again.stderr());
            }
        } finally {
            Files.deleteIfExists(yaml);
        }
    }
}
