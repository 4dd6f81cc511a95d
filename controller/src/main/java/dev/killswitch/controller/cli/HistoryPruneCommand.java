package dev.killswitch.controller.cli;

import dev.killswitch.controller.history.History;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code killswitch history prune}: retention for the history store. */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Delete stored results older than a time; every host keeps its newest.",
        description = {
            "A drift service that checks every 15 minutes stores about 35,000 results a year per gateway. This "
                    + "deletes the results recorded before WHEN, except each host's newest, so that 'history', the "
                    + "report's status table and a gateway that has been unreachable for months still show its last "
                    + "known state. It deletes in batches of 10,000, each its own transaction, so it can run while "
                    + "drift services record. 'drift --schedule ... --retain AGE' does the same after every firing.",
            "",
            "WHEN is an age counted back from now (90m, 24h, 90d, or an ISO duration such as P90D), an ISO-8601 "
                    + "instant (2026-11-25T12:00:00Z, or without offset: UTC) or a date (2026-11-25, from midnight "
                    + "UTC)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  killswitch history prune --older-than 90d",
            "  killswitch history prune --older-than 2026-01-01 --store jdbc:postgresql://db.example/killswitch?user=ks",
            "",
            "Exit status: 0 success (also when nothing was old enough); 1 the store cannot be written or bad options."})
final class HistoryPruneCommand implements Callable<Integer> {
    @Option(names = "--older-than", required = true, paramLabel = "WHEN", converter = When.class,
            description = "Delete the results recorded before WHEN.")
    Instant before;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        long deleted;
        try (History history = store.openToRead("history prune")) {
            deleted = history.prune(before);
        }
        System.out.println("pruned " + deleted + " result(s) recorded before " + before + "; every host keeps its newest");
        return 0;
    }
}
