package dev.killswitch.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code killswitch history} in-process, on an H2 store in a temporary directory. */
class HistoryCommandTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void store() {
        url = JdbcHistory.h2Url(dir.resolve("history"));
        try (History h = JdbcHistory.open(url)) {
            h.record(List.of(
                    new Check(0, "gw1", T0, Check.Kind.CHECK, Check.Outcome.DRIFTED,
                            "0123456789abcdef0123", List.of(new Finding(Finding.Kind.FOREIGN, "chain DOCKER"),
                            new Finding(Finding.Kind.LEAK_RISK, "-A OUTPUT -o eth0 -j ACCEPT")),
                            "kill switch", null, "ctl:1", 900, "2 finding(s)"),
                    new Check(0, "gw2", T0, Check.Kind.CHECK, Check.Outcome.UNREACHABLE, null, List.of(),
                            "kill switch", null, "ctl:1", 10_000, "connect timed out")));
            h.record(List.of(new Check(0, "gw1", T0.plusSeconds(60), Check.Kind.REMEDIATE, Check.Outcome.CHANGED,
                    "fedcba9876543210", List.of(), "kill switch", null, "ctl:1", 2000, "3 step(s), confirmed")));
        }
    }

    private static CapturedRun run(String... args) {
        return CapturedRun.of(args);
    }

    @Test
    void theTableListsOneHostsTimelineNewestFirstWithClassesAndShortFingerprints() {
        CapturedRun r = run("history", "--store", url, "--host", "gw1");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).matches("TIME +HOST +KIND +OUTCOME +FINDINGS +FINGERPRINT +MESSAGE"), lines.get(0));
        assertTrue(lines.get(1).matches("2026-11-25 12:01:00Z +gw1 +remediate +changed +- +fedcba987654 +3 step\\(s\\), "
                + "confirmed"), lines.get(1));
        assertTrue(lines.get(2).matches("2026-11-25 12:00:00Z +gw1 +check +drifted +leak-risk,foreign +0123456789ab +2 "
                + "finding\\(s\\)"), lines.get(2));
    }

    @Test
    void pruneDeletesWhatIsOlderAndKeepsEachHostsNewest() {
        CapturedRun r = run("history", "prune", "--store", url, "--older-than", "2026-11-25T12:00:30Z");
        assertEquals(0, r.exit(), r.err());
        assertEquals("pruned 1 result(s) recorded before 2026-11-25T12:00:30Z; every host keeps its newest\n", r.out());
        CapturedRun left = run("history", "--store", url);
        assertEquals(3, left.out().lines().count(), "gw1's remediation and gw2's only check stay: " + left.out());
        CapturedRun bad = run("history", "prune", "--store", url, "--older-than", "soon");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("'soon' is not a time"), bad.err());
        assertEquals(1, run("history", "prune", "--store", url).exit(), "--older-than is required");
    }

    @Test
    void jsonCarriesEveryFieldUnderItsSchema() throws Exception {
        CapturedRun r = run("history", "--store", url, "--until", "2026-11-25T12:00:30Z", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        assertEquals("killswitch.history/v1", root.path("schema").asText());
        assertEquals(2, root.path("results").size());
        JsonNode gw1 = root.path("results").findParents("host").stream()
                .filter(n -> n.path("host").asText().equals("gw1")).findFirst().orElseThrow();
        assertEquals("2026-11-25T12:00:00Z", gw1.path("at").asText());
        assertEquals("drifted", gw1.path("outcome").asText());
        assertEquals("leak-risk", gw1.path("findings").get(1).path("class").asText());
        assertEquals("ctl:1", gw1.path("controller").asText());
    }

    @Test
    void sinceAndLimitNarrowTheList() {
        assertEquals(2, run("history", "--store", url, "--since", "2026-11-25T12:00:30Z").out().lines().count());
        assertEquals(2, run("history", "--store", url, "--limit", "1").out().lines().count());
        assertEquals("no results\n", run("history", "--store", url, "--host", "gw9").out());
    }

    @Test
    void aBadStoreOrTimeIsAClearErrorNamingTheOption() {
        CapturedRun bad = run("history", "--store", "sqlite:/tmp/x.db");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().startsWith("killswitch: --store sqlite:/tmp/x.db: not a store URL"), bad.err());
        CapturedRun when = run("history", "--store", url, "--since", "last week");
        assertEquals(1, when.exit());
        assertTrue(when.err().contains("--since"), when.err());
        assertTrue(when.err().contains("'last week' is not a time"), when.err());
    }

    @Test
    void helpDescribesTheFiltersAndTheStore() {
        CapturedRun r = run("history", "--help");
        assertEquals(0, r.exit());
        for (String s : new String[] {"--host", "--since", "--until", "--limit", "--json", "--store", "--no-store",
                "KILLSWITCH_STORE", "90m, 24h, 7d"}) {
            assertTrue(r.out().replaceAll("\\s+", " ").contains(s), s + " in:\n" + r.out());
        }
    }
}
