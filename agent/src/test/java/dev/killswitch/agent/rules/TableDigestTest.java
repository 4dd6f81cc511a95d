package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

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

    @Test
    void aLargeKernelTableIsDigestedAheadToTheSameValue() {
        Table t = SaveParser.parseCanonical(dump(BuiltinCanonicalizer.DIGEST_AHEAD_FROM + 10, ""), Family.IPV4)
                .table("filter");
        assertArrayEquals(fromModel(t), t.digest());
        assertEquals(t, new Table(t.name(), t.chains()));
    }

    @Test
    void anAddressListThatExpandsLeavesTheDigestToTheRules() {
        // never printed by iptables-save, but accepted as live text: one line, two rules, so the raw text differs
        Table t = SaveParser.parseCanonical(dump(BuiltinCanonicalizer.DIGEST_AHEAD_FROM + 10,
                "-A INPUT -s 192.0.2.1,192.0.2.2 -j DROP\n"), Family.IPV4).table("filter");
        assertEquals(2, t.chain("INPUT").rules().size() - 1);
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
        String text = ":INPUT DROP\n-A INPUT -j u\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n:u -\n" + rules;
        byte[] expected = java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertArrayEquals(expected, t.digest());
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
