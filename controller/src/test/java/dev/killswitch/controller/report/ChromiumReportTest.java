package dev.killswitch.controller.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet report as a browser shows it: {@code killswitch report --html} writes the page from an H2 history store
 * filled with a small fleet's results, headless Chromium (Debian's {@code chromium}) loads it, and the test reads the
 * DOM it built and the screenshot it took. The page and the screenshot stay in
 * {@code target/chromium-report/} for a person to look at.
 */
@Tag("chromium")
class ChromiumReportTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("killswitch.chromium", "/usr/bin/chromium"));
    private static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private static final Instant SINCE = NOW.minus(Duration.ofDays(7));
    private static final List<Check> ALL = SampleFleet.all(NOW.minusSeconds(60));
    private static final Path OUT = Path.of("target", "chromium-report");

    @TempDir
    static Path tmp;
    static Path page;

    @BeforeAll
    static void write() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + " (Debian package chromium)");
        Files.createDirectories(OUT);
        page = OUT.resolve("report.html").toAbsolutePath();
        String store = JdbcHistory.h2Url(tmp.resolve("history"));
        try (History h = JdbcHistory.open(store)) {
            h.record(ALL);
        }
        assertEquals(0, KillswitchMain.run("report", "--html", page.toString(), "--store", store, "--since",
                SINCE.toString()));
    }

    @Test
    void theBrowserBuildsTheStatusTableTheTimelineAndTheFindings() throws Exception {
        String dom = chromium("--dump-dom", page.toUri().toString());
        assertTrue(dom.contains("<svg class=\"timeline\""), "the timeline SVG is in the DOM");
        for (String host : List.of("gw1", "gw2", "gw3", "gw10")) {
            assertEquals(1, count(dom, "<tr data-host=\"" + host + "\""), "status row of " + host);
            assertEquals(SampleFleet.count(ALL, host, SINCE), count(dom, "class=\"marker\" data-host=\"" + host + "\""),
                    "markers of " + host);
        }
        assertEquals(5, count(dom, "<tr data-host="), "one status row per host");
        assertEquals(ALL.size(), count(dom, "<g class=\"marker\""));
        assertTrue(count(dom, "<text class=\"tick\"") >= 5, "the time axis is labelled");
        assertTrue(dom.contains("<td class=\"host\">edge&lt;&amp;\"'&gt;</td>"), "a host name with markup is text");
        assertFalse(dom.contains("<script"), "markup in the data never became an element");
        assertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "it is shown as text");

        List<String> classes = new ArrayList<>();
        Pattern.compile("<li class=\"finding\" data-class=\"([a-z-]+)\"><span class=\"cls k-([a-z-]+)\">"
                        + "([a-z-]+)</span>").matcher(dom).results().forEach(m -> {
                    assertEquals(m.group(1), m.group(3), "the class is written out, not only coloured");
                    classes.add(m.group(1));
                });
        assertEquals(List.of("leak-risk", "lockout-risk", "leak-risk", "benign", "foreign"), classes);
    }

    @Test
    void theScreenshotShowsThePageWithItsColouredMarkers() throws Exception {
        Path png = tmp.resolve("report.png");
        chromium("--screenshot=" + png, "--window-size=1280,1600", page.toUri().toString());
        assertTrue(Files.size(png) > 30_000, "a page with content, not a blank one: " + Files.size(png) + " bytes");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        assertEquals(1600, img.getHeight());
        // the markers and badges are drawn in their outcome's colour
        for (String colour : List.of("E69F00", "009E73", "0072B2", "D55E00")) {
            assertTrue(has(img, Integer.parseInt(colour, 16)), "a pixel of #" + colour);
        }
        Files.copy(png, OUT.resolve("report.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean has(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs headless Chromium on a fresh profile, nothing fetched in the background; its standard output. */
    private static String chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "profile");
        List<String> argv = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        argv.addAll(List.of(args));
        Path out = tmp.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = tmp.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium took over 30 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), "chromium " + args[0] + ": " + Files.readString(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static long count(String s, String what) {
        return Pattern.compile(Pattern.quote(what)).matcher(s).results().count();
    }
}
