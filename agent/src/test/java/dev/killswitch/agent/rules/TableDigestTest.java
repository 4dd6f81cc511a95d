package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A table's digest is the same whether it was worked out ahead, while kernel text was read, or on first use. */
class TableDigestTest {

    /** Kernel text of {@code rules} rules in INPUT and a user chain, with {@code extra} appended to INPUT. */
    private static String dump(int rules, String extra) {
        StringBuilder sb = new StringBuilder("*filter\n:INPUT DROP [12:3456]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":svc - [0:0]\n-A INPUT -i eth0 -j svc\n");
        for (int i = 0; i < rules; i++) {
            sb.append("-A svc -s 10.").append(i / 250 % 250).append('.').append(i % 250)
                    .append(".1/32 -p tcp -m tcp --dport ").append(1024 + i).append(" -j ACCEPT\n");
        }
        return sb.append(extra).append("COMMIT\n").toString();
    }

    /** The digest of a table with the same chains, worked out from them on first use. */
    private static byte[] fromModel(Table t) {
        return new Table(t.name(), t.chains()).digest();
    }

    static Stream<String> dumps() throws Exception {
        return Stream.concat(CorpusTest.canonicalFiles().map(f -> "public-canonical/" + f),
                java.nio.file.Files.list(CorpusTest.dir("public")).map(p -> "public/" + p.getFileName())
                        .filter(f -> f.endsWith(".rules")).sorted());
    }

    @ParameterizedTest
    @MethodSource("dumps")
    void aTextDigestIsTheDigestOfTheTableTheTextBecomes(String file) throws Exception {
        String text = CorpusTest.read(CorpusTest.dir(file.substring(0, file.indexOf('/'))).resolve(
                file.substring(file.indexOf('/') + 1)));
        Ruleset rs;
        try {
            rs = SaveParser.parseCanonical(text, CorpusTest.familyOf(file));
        } catch (InputError e) {
            return; // a dump iptables-restore refuses too (see LOAD_RESULTS.md): nothing to digest
        }
        Map<String, byte[]> digests = TextDigests.of(text);
        for (Table t : rs.tables().values()) {
            if (digests.containsKey(t.name())) {
                assertArrayEquals(fromModel(t), digests.get(t.name()), file + " " + t.name());
            }
        }
        if (file.startsWith("public-canonical/")) {
            // what iptables-save printed is in its own layout: every table is digested from the text
            assertEquals(rs.tables().keySet(), digests.keySet(), file);
        }
    }

    @Test
    void aTableWrittenOtherwiseIsLeftToItsRules() {
        String base = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n"
                + "-A a -j DROP\n-A b -j ACCEPT\nCOMMIT\n";
        assertEquals(java.util.Set.of("filter"), TextDigests.of(base).keySet());
        for (String other : new String[] {
            base.replace("-A a -j DROP\n-A b -j ACCEPT", "-A b -j ACCEPT\n-A a -j DROP"), // rules out of chain order
            base.replace("-A a -j DROP", "-A a  -j DROP"), base.replace("-A a -j DROP", "-A a -j DROP "),
            base.replace("-A a -j DROP", "[1:2] -A a -j DROP"), base.replace("-A a -j DROP", "-I a -j DROP"),
            base.replace(":b - [0:0]\n", "") + "", base.replace("-A a -j DROP\n", "-A a -j DROP\n:c - [0:0]\n"),
            base.replace(":INPUT ACCEPT [0:0]", ":INPUT  ACCEPT [0:0]"), base + base, base.replace("DROP", "DROP\r")}) {
            assertEquals(Map.of(), TextDigests.of(other), other);
        }
    }

    @Test
    void aLargeKernelTableIsDigestedAheadToTheSameValue() {
        Table t = SaveParser.parseObserved(dump(TextDigests.AHEAD_FROM / 60, ""), Family.IPV4)
                .table("filter");
        assertArrayEquals(fromModel(t), t.digest());
        assertEquals(t, new Table(t.name(), t.chains()));
    }

    @Test
    void anAddressListThatExpandsLeavesTheDigestToTheRules() {
        // never printed by iptables-save, but accepted as live text: one line, two rules, so the raw text differs
        String text = dump(TextDigests.AHEAD_FROM / 60, "-A svc -s 192.0.2.1,192.0.2.2 -j DROP\n");
        assertTrue(TextDigests.of(text).containsKey("filter"), "the text itself is in iptables-save's layout");
        Table t = SaveParser.parseObserved(text, Family.IPV4).table("filter");
        assertEquals(TextDigests.AHEAD_FROM / 60 + 2, t.chain("svc").rules().size());
        assertArrayEquals(fromModel(t), t.digest());
    }

    @Test
    void theDigestIsSha256OfTheTablesTextInUtf8() throws Exception {
        // past the digest's 64 KiB buffer, with characters of two and three UTF-8 bytes at the start and the end
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            rules.append("-A u -m comment --comment \"caf\u00e9 ").append("x".repeat(i % 120)).append(" \u2603\" -j DROP\n");
        }
        Table t = SaveParser.parseCanonical("*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":u - [0:0]\n-A INPUT -j u\n" + rules + "COMMIT\n", Family.IPV4).table("filter");
        String text = ":INPUT DROP\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n:u -\n-A INPUT -j u\n" + rules;
        byte[] expected = java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertArrayEquals(expected, t.digest());
        // the kernel text's own digest, hashed in runs of lines across the same characters
        String dump = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:u - [0:0]\n-A INPUT -j u\n"
                + rules + "COMMIT\n";
        assertArrayEquals(expected, TextDigests.of(dump).get("filter"));
    }

    @Test
    void theDigestFollowsRulesPoliciesAndOrderButNotCounters() {
        byte[] base = SaveParser.parseCanonical(dump(20, ""), Family.IPV4).table("filter").digest();
        assertArrayEquals(base, SaveParser.parseCanonical(dump(20, "").replace("[12:3456]", "[99:1]"), Family.IPV4)
                .table("filter").digest());
        for (String changed : new String[] {dump(20, "-A INPUT -j DROP\n"), dump(20, "").replace("--dport 1030", "--dport 1031"),
            dump(20, "").replace(":OUTPUT ACCEPT", ":OUTPUT DROP"), dump(21, "")}) {
            assertFalse(Arrays.equals(base, SaveParser.parseCanonical(changed, Family.IPV4).table("filter").digest()),
                    changed);
        }
    }
}
