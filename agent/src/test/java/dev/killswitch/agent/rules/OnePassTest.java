package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link OnePass} against the full getopt walk: for every rule the one pass takes, the full walk makes the same one
 * rule (text and parts), and it takes no rule the full walk refuses or doubts. Rules: every rule of the corpus dumps
 * (as desired rules), and random rules put together from the spellings operators write, good and bad.
 */
class OnePassTest {
    private static final BuiltinCanonicalizer FULL = new BuiltinCanonicalizer();

    /** Spellings of each part, in no particular order; "" leaves the part out. */
    private static final String[][] PARTS = {
        {"", "-s 10.1.2.3", "--source 10.1.2.0/24", "--src 10.1.2.3/255.255.255.0", "-s 10.1.2.3/33", "-s 0.0.0.0/0",
            "-s 10.1.2.3,10.1.2.4", "! -s 10.1.2.3", "-s 2001:db8::1", "-s 10.1.2.300", "-s 010.1.2.3", "-s host"},
        {"", "-d 192.168.1.1", "--destination 192.168.1.7/16", "--dst 192.168.0.0/255.255.0.0", "-d ::/0"},
        {"", "-i eth0", "--in-interface wg+", "-i +", "-i bad!name", "-i averyveryverylongname0", "! -i eth0"},
        {"", "-o wg0", "--out-interface eth1"},
        {"", "-p tcp", "--protocol udp", "-p 6", "-p 17", "-p TCP", "-p icmp", "! -p tcp", "-p all", "-p tcp -p tcp"},
        {"", "--dport 22", "--sport domain --dport 53", "--destination-port https", "--source-port 1024",
            "-m tcp --dport 22", "-m udp --dport 53", "-m tcp", "--dport 70000", "--dport 022", "--dport 0x16",
            "--dport 1000:2000", "--dport nosuchservice", "--dport", "--dport 22 --dport 23", "! --dport 22",
            "--dpo 22", "--dport=22", "-m tcp --syn"},
        {"", "-m multiport --dports http,https,8080", "-m multiport --sports 53", "-m multiport --ports 1:2",
            "-m multiport --destination-ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
            "-m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "-m multiport --dports 80,", "-m multiport",
            "-m multiport --dports 80 --sports 53", "-m multiport --dport 80", "--match multiport --source-ports ssh"},
        {"", "-m conntrack --ctstate established,related", "-m conntrack --ctstate NEW", "-m state --state NEW,INVALID",
            "-m conntrack --ctstate BOGUS", "-m conntrack --ctstate new --ctstate new", "-m conntrack",
            "-m conntrack --ctstate DNAT", "-m state --state DNAT", "-m conntrack --ctstate ESTAB", "--ctstate NEW"},
        {"", "-m comment --comment \"svc-1\"", "-m comment --comment hello", "-m comment --comment \"a b\"",
            "-m comment --comment \"x;y\"", "-m comment --comment \"\"", "-m comment --comment 'q'",
            "-m comment --comment \"es\\\"c\"", "-m comment --comment " + "c".repeat(256), "-m comment"},
        {"", "-j ACCEPT", "--jump DROP", "-j RETURN", "-j svc0001", "-g svc0002", "--goto svc0003", "-j LOG",
            "-j bad;chain", "-j QUEUE", "-j MASQUERADE", "-j", "-j ACCEPT -j DROP"},
    };

    @Test
    void takesOnlyWhatTheFullWalkReadsAndMakesTheSameRule() {
        Random random = new Random(20261208);
        int taken = 0;
        int rules = 30_000;
        for (int n = 0; n < rules; n++) {
            List<String> parts = new ArrayList<>();
            boolean usual = random.nextInt(3) > 0; // from each part's first four spellings, which are good ones
            for (String[] choices : PARTS) {
                String p = choices[random.nextInt(usual ? Math.min(4, choices.length) : choices.length)];
                if (!p.isEmpty()) {
                    parts.add(p);
                }
            }
            if (random.nextInt(4) == 0) {
                java.util.Collections.shuffle(parts, random); // order decides which module an option goes to
            }
            String text = String.join(random.nextInt(8) == 0 ? "  " : " ", parts);
            Family family = random.nextInt(5) == 0 ? Family.IPV6 : Family.IPV4;
            taken += same(text, family) ? 1 : 0;
        }
        // the grammar's usual rules are taken
        assertTrue(taken > rules / 20, "taken: " + taken);
    }

    @Test
    void everyCorpusRuleAsADesiredRule() throws IOException {
        int taken = 0;
        int rules = 0;
        for (String dir : List.of("public", "public-canonical", "generated")) {
            try (Stream<Path> files = Files.list(Path.of("src/test/resources/corpus", dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".rules")).sorted().toList()) {
                    Family family = f.getFileName().toString().contains("6") ? Family.IPV6 : Family.IPV4;
                    for (String line : Files.readAllLines(f)) {
                        if (line.startsWith("-A ") && line.indexOf(' ', 3) > 0) {
                            rules++;
                            taken += same(line.substring(line.indexOf(' ', 3) + 1), family) ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(taken > rules / 10, "taken " + taken + " of " + rules);
    }

    @Test
    void theGeneratedNonCanonicalSpellings() {
        for (Family family : Family.values()) {
            RawRuleset raw = new SpellingGenerator(7, family).generate(4000);
            for (RawTable t : raw.tables().values()) {
                for (RawChain c : t.chains().values()) {
                    for (RawRule r : c.rules()) {
                        same(r.args(), family);
                    }
                }
            }
        }
    }

    @Test
    void aHostAddressAsIptablesSavePrintsItIsReadWithoutParsing() {
        for (String quad : List.of("10.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.100.9")) {
            assertTrue(Inet.printedQuad(quad), quad);
            assertEquals(Inet.formatV4((int) Inet.parseV4(quad)), quad);
        }
        for (String other : List.of("010.0.0.1", "1.2.3", "1.2.3.4.", "1.2.3.256", "1.2.3.4.5", "1..2.3", "1.2.3.1234",
                "a.b.c.d", "", ".1.2.3", "1.2.3.4/32", "0x1.2.3.4", "1.2.3.04")) {
            assertTrue(!Inet.printedQuad(other), other);
        }
    }

    @Test
    void theRulesOfTheBenchmarkAreTakenAsTheFullWalkReadsThem() {
        for (String text : List.of("-p tcp -s 10.3.4.1 --dport 2048 -j ACCEPT",
                "--protocol udp --source 172.16.3.4/255.255.255.0 --sport domain -m comment --comment \"svc-1\""
                        + " -j ACCEPT",
                "-d 192.168.3.4 -m conntrack --ctstate established,related -j ACCEPT",
                "-p tcp -m multiport --dports http,https,2048 -j DROP", "--in-interface eth0 --jump svc0001")) {
            assertTrue(same(text, Family.IPV4), text);
        }
        Rule r = OnePass.rule("-p tcp -s 10.3.4.1 --dport 2048 -j ACCEPT", Family.IPV4, "filter", origin());
        assertNotNull(r);
        assertEquals("-s 10.3.4.1/32 -p tcp -m tcp --dport 2048 -j ACCEPT", r.text());
        assertNull(OnePass.rule("-p tcp --dport 22 -j ACCEPT", Family.IPV4, "nat", origin()), "filter only");
    }

    /** Whether the one pass took {@code text}; fails when it took it differently from the full walk. */
    private static boolean same(String text, Family family) {
        Rule fast = OnePass.rule(text, family, "filter", origin());
        List<Rule> full;
        try {
            full = FULL.walk(new RawRule(text, origin()), family, "filter");
        } catch (InputError e) {
            if (fast != null) {
                fail("taken, but the full walk refuses '" + text + "': " + e.getMessage());
            }
            return false;
        }
        if (fast == null) {
            return false;
        }
        assertEquals(1, full.size(), text);
        assertTrue(full.get(0).known(), "taken, but the full walk doubts '" + text + "'");
        assertEquals(full.get(0).text(), fast.text(), text);
        assertEquals(full.get(0), fast, text);
        return true;
    }

    private static Origin origin() {
        return new Origin("desired.yaml", 7, "ipv4.filter.chains.INPUT[0]");
    }
}
