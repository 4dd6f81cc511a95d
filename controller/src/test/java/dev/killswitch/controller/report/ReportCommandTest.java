package dev.killswitch.controller.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void hostFilterAndSinceSelectWhatThePageShows() throws Exception {
        String store = JdbcHistory.h2Url(dir.resolve("history"));
        List<Check> all = SampleFleet.all(Instant.now().minusSeconds(60));
        try (History h = JdbcHistory.open(store)) {
            h.record(all);
        }
        Path page = dir.resolve("gw1.html");
        assertEquals(0, KillswitchMain.run("report", "--html", page.toString(), "--store", store, "--host", "gw1",
                "--since", "1d"));
        String html = Files.readString(page);
        assertEquals(1, html.split("<tr data-host=", -1).length - 1, "only gw1's row");
        assertTrue(html.contains("<tr data-host=\"gw1\""));
        assertEquals(4, html.split("class=\"marker\" data-host=\"gw1\"", -1).length - 1,
                "gw1's results 22 h, 5 h, 4 h 50 min and 20 min ago");
        assertFalse(html.contains("data-host=\"gw2\""));
    }

    @Test
    void anEmptyStoreGivesAPageThatSaysSo() throws Exception {
        Path page = dir.resolve("empty.html");
        assertEquals(0, KillswitchMain.run("report", "--html", page.toString(), "--store",
                JdbcHistory.h2Url(dir.resolve("empty"))));
        assertTrue(Files.readString(page).contains("No stored results yet"));
    }

    @Test
    void noStoreAndABadSinceAreRefused() {
        Path page = dir.resolve("x.html");
        assertEquals(1, KillswitchMain.run("report", "--html", page.toString(), "--no-store"));
        assertEquals(1, KillswitchMain.run("report", "--html", page.toString(), "--since", "last tuesday"));
        assertFalse(Files.exists(page));
    }
}
