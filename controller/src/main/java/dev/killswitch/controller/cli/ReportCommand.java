package dev.killswitch.controller.cli;

import dev.killswitch.agent.apply.AtomicFile;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.report.FleetPage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code killswitch report --html FILE}: the fleet's status, drift timeline and findings as one HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write the fleet report from the history store: one self-contained HTML page.",
        description = {
            "Writes one HTML page with inline CSS and SVG, no scripts and nothing fetched, that opens anywhere: the "
                    + "fleet's status table (the newest result of every host, with its findings counted by class), "
                    + "a drift timeline per host (one marker per stored result, shaped and coloured by outcome: "
                    + "in-sync, drifted, changed, unreachable, refused, failed), and the current findings with "
                    + "their classes (leak-risk, lockout-risk, foreign, benign).",
            "",
            "WHEN is an ISO-8601 instant (2026-11-25T12:00:00Z), a date (2026-11-25, from midnight UTC), or an age "
                    + "counted back from now: 90m, 24h, 7d, or an ISO duration (PT90M, P7D)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  killswitch report --html fleet.html",
            "  killswitch report --html gw1.html --host gw1 --since 30d",
            "",
            "Exit status: 0 the page was written; 1 the store cannot be read, the file cannot be written, or bad "
                    + "options."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--html", required = true, paramLabel = "FILE", description = "Write the page to FILE.")
    Path html;
    @Option(names = "--since", paramLabel = "WHEN", converter = When.class, defaultValue = "7d",
            description = "Start the timeline at WHEN (default: ${DEFAULT-VALUE}).")
    Instant since;
    @Option(names = "--host", paramLabel = "HOST", description = "Only this inventory host (repeatable).")
    List<String> hosts = new ArrayList<>();
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        List<Check> latest = new ArrayList<>();
        List<Check> timeline = new ArrayList<>();
        try (History history = store.openToRead("report")) {
            for (Check c : history.latest()) {
                if (hosts.isEmpty() || hosts.contains(c.host())) {
                    latest.add(c);
                }
            }
            if (hosts.isEmpty()) {
                timeline.addAll(history.find(new History.Query(null, since, null, 0)));
            }
            for (String h : hosts) {
                timeline.addAll(history.find(new History.Query(h, since, null, 0)));
            }
        }
        AtomicFile.write(html, FleetPage.render(latest, timeline, since, now), "rw-r--r--"); // never half a page
        System.out.println("wrote " + html + ": " + latest.size() + (latest.size() == 1 ? " host, " : " hosts, ")
                + timeline.size() + (timeline.size() == 1 ? " result" : " results") + " since "
                + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        return 0;
    }
}
