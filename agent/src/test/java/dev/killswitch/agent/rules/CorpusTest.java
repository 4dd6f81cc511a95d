package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real dumps: the builtin canonicaliser must reproduce what iptables-save 1.8.9 printed for them.
 * The files are observed text (odd chain names included), so the lenient instance reads them.
 */
class CorpusTest {

    static Path dir(String name) throws URISyntaxException {
        return Path.of(CorpusTest.class.getResource("/corpus/" + name).toURI());
    }

    static Family familyOf(String file) {
        return file.contains("ip6") || file.contains("v6") ? Family.IPV6 : Family.IPV4;
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    static Stream<String> canonicalFiles() throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir("public-canonical"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".rules")).sorted().forEach(names::add);
        }
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("canonicalFiles")
    void kernelOutputIsAFixedPoint(String file) throws Exception {
        Family family = familyOf(file);
        RawRuleset raw = SaveParser.parse(read(dir("public-canonical").resolve(file)), file, family);
        Ruleset rs = BuiltinCanonicalizer.observing().canonicalize(raw);
        for (RawTable rt : raw.tables().values()) {
            for (RawChain rc : rt.chains().values()) {
                List<Rule> rules = rs.table(rt.name()).chain(rc.name()).rules();
                assertEquals(rc.rules().size(), rules.size(), file + " " + rt.name() + " " + rc.name());
                for (int i = 0; i < rules.size(); i++) {
                    assertEquals(rc.rules().get(i).args(), rules.get(i).text(), rc.rules().get(i).origin().toString());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("canonicalFiles")
    void parseCanonicalKeepsTheKernelText(String file) throws Exception {
        Family family = familyOf(file);
        String text = read(dir("public-canonical").resolve(file));
        RawRuleset raw = SaveParser.parse(text, file, family);
        Ruleset rs = SaveParser.parseCanonical(text, family);
        for (RawTable rt : raw.tables().values()) {
            for (RawChain rc : rt.chains().values()) {
                Chain c = rs.table(rt.name()).chain(rc.name());
                assertEquals(rc.policy(), c.policy());
                for (int i = 0; i < rc.rules().size(); i++) {
                    assertEquals(rc.rules().get(i).args(), c.rules().get(i).text());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("canonicalFiles")
    void builtinOfThePublicFileEqualsWhatTheKernelPrinted(String file) throws Exception {
        Family family = familyOf(file);
        RawRuleset input = SaveParser.parse(read(dir("public").resolve(file)), file, family);
        Ruleset mine = BuiltinCanonicalizer.observing().canonicalize(input);
        Ruleset kernel = SaveParser.parseCanonical(read(dir("public-canonical").resolve(file)), family);
        for (Table t : mine.tables().values()) {
            Table kt = kernel.table(t.name());
            assertNotNull(kt, file + ": table " + t.name());
            for (Chain c : t.chains().values()) {
                Chain kc = kt.chain(c.name());
                assertNotNull(kc, file + ": chain " + t.name() + " " + c.name());
                if (c.policy() != null) {
                    assertEquals(kc.policy(), c.policy(), file + ": policy of " + c.name());
                }
                List<String> want = kc.rules().stream().map(Rule::text).toList();
                List<String> got = c.rules().stream().map(Rule::text).toList();
                assertEquals(want, got, file + ": " + t.name() + " " + c.name());
            }
            for (Chain kc : kt.chains().values()) {
                if (t.chain(kc.name()) == null) {
                    assertTrue(kc.rules().isEmpty() && Table.builtins(t.name()).contains(kc.name()),
                            file + ": the kernel has chain " + kc.name() + " that the file does not");
                }
            }
        }
        assertEquals(kernel.tables().keySet().stream().sorted().toList(),
                mine.tables().keySet().stream().sorted().toList(), file + ": tables");
    }
}
