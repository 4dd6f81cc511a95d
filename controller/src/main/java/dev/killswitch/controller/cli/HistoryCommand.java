package dev.killswitch.controller.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code killswitch history}: the stored checks and applies, newest first. */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = HistoryPruneCommand.class,
        header = "List the stored results of drift checks, remediations and applies, newest first.",
        description = {
            "Every 'drift' check and remediation and every 'apply' records one result per host in the history store: "
                    + "when, the host, what was done (check, remediate, apply), how it ended (in-sync, drifted, "
                    + "changed, refused, unreachable, failed), the live-state fingerprint, the drift findings with "
                    + "their classes, and which controller ran it. This lists them, filtered by host and time.",
            "",
            "WHEN is an ISO-8601 instant (2026-11-25T12:00:00Z, or without offset: UTC), a date (2026-11-25, from "
                    + "midnight UTC), or an age counted back from now: 90m, 24h, 7d, or an ISO duration (PT90M, P7D)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  killswitch history --host gw1 --since 7d",
            "  killswitch history --since 2026-11-25 --until 2026-11-26 --json",
            "  killswitch history --store jdbc:postgresql://db.example/killswitch?user=ks --limit 20",
            "  killswitch history prune --older-than 90d        (retention: see 'history prune --help')",
            "",
            "Exit status: 0 success (also when nothing matches); 1 the store cannot be read or bad options."})
final class HistoryCommand implements Callable<Integer> {
    /** The JSON output's schema name. */
    static final String SCHEMA = "killswitch.history/v1";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    @Option(names = "--host", paramLabel = "HOST", description = "Only this inventory host.")
    String host;
    @Option(names = "--since", paramLabel = "WHEN", converter = When.class,
            description = "Only results at or after WHEN.")
    Instant since;
    @Option(names = "--until", paramLabel = "WHEN", converter = When.class, description = "Only results before WHEN.")
    Instant until;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N results, the newest (default: ${DEFAULT-VALUE}; 0 for all).")
    int limit;
    @Option(names = "--json", description = "Print JSON (schema " + SCHEMA + ") instead of a table.")
    boolean json;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit " + limit + ": must be 0 (all) or more");
        }
        List<Check> checks;
        try (History history = store.openToRead("history")) {
            checks = history.find(new History.Query(host, since, until, limit));
        }
        System.out.print(json ? json(checks) : table(checks));
        return 0;
    }

    static String table(List<Check> checks) {
        if (checks.isEmpty()) {
            return "no results\n";
        }
        int hostWidth = Math.max(4, checks.stream().mapToInt(c -> c.host().length()).max().orElse(4));
        String row = "%-20s  %-" + hostWidth + "s  %-9s  %-11s  %-24s  %-12s  %s%n";
        StringBuilder sb = new StringBuilder(String.format(row, "TIME", "HOST", "KIND", "OUTCOME", "FINDINGS",
                "FINGERPRINT", "MESSAGE"));
        for (Check c : checks) {
            sb.append(String.format(row, TIME.format(c.at()), c.host(), c.kind().label(), c.outcome().label(),
                    classes(c.findings()), shortFingerprint(c.fingerprint()),
                    c.message() == null ? "" : c.message().lines().findFirst().orElse("")));
        }
        return sb.toString();
    }

    static String json(List<Check> checks) throws Exception {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        ArrayNode a = root.putArray("results");
        for (Check c : checks) {
            ObjectNode o = a.addObject();
            o.put("id", c.id());
            o.put("host", c.host());
            o.put("at", c.at().toString());
            o.put("kind", c.kind().label());
            o.put("outcome", c.outcome().label());
            o.put("fingerprint", c.fingerprint());
            ArrayNode fs = o.putArray("findings");
            for (Finding f : c.findings()) {
                fs.addObject().put("class", f.kind().label()).put("detail", f.detail());
            }
            o.put("play", c.play());
            o.put("trigger", c.trigger());
            o.put("controller", c.controller());
            o.put("millis", c.millis());
            o.put("message", c.message());
        }
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /** The distinct classes of the findings, most severe first ({@link Finding.Kind} order). */
    private static String classes(List<Finding> findings) {
        return findings.isEmpty() ? "-" : findings.stream().map(Finding::kind).distinct().sorted()
                .map(Finding.Kind::label).collect(Collectors.joining(","));
    }

    private static String shortFingerprint(String fp) {
        if (fp == null) {
            return "-";
        }
        String hex = fp.startsWith("sha256:") ? fp.substring(7) : fp;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
