package dev.killswitch.controller.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.history.Check;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FleetPageTest {
    private static final Instant SINCE = SampleFleet.NOW.minus(Duration.ofDays(7));
    private static final List<Check> ALL = SampleFleet.all();
    private static final String PAGE = FleetPage.render(SampleFleet.latest(ALL), ALL, SINCE, SampleFleet.NOW);

    @Test
    void thePageLoadsNothingFromOutsideAndRunsNoScript() {
        assertFalse(PAGE.contains("<script"), "no script element");
        assertFalse(PAGE.contains("<link"), "no stylesheet link");
        assertFalse(PAGE.contains("<img"), "no image");
        assertFalse(PAGE.matches("(?s).*(src|href)=.*"), "no src or href");
        assertFalse(PAGE.contains("url("), "no CSS url()");
        assertFalse(PAGE.contains("@import"), "no CSS import");
    }

    @Test
    void everyStringFromTheHistoryIsEscaped() {
        assertFalse(PAGE.contains(SampleFleet.TRICKY), "the raw host name never appears");
        assertTrue(PAGE.contains("edge&lt;&amp;&quot;&#39;&gt;"), "the host name appears escaped");
        assertTrue(PAGE.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(PAGE.contains("agent facts failed: &lt;no java&gt;"));
        assertEquals("a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39;", Html.escape("a&b <c> \"d\" 'e'"));
    }

    @Test
    void theStatusTableHasOneRowPerHostInNaturalOrderWithFindingCounts() {
        Matcher m = Pattern.compile("<tr data-host=\"([^\"]*)\" data-outcome=\"([a-z-]+)\"").matcher(PAGE);
        StringBuilder rows = new StringBuilder();
        while (m.find()) {
            rows.append(m.group(1)).append('=').append(m.group(2)).append(' ');
        }
        assertEquals("edge&lt;&amp;&quot;&#39;&gt;=drifted gw1=drifted gw2=drifted gw3=in-sync gw10=unreachable ",
                rows.toString());
        String gw1 = row("gw1");
        assertTrue(gw1.contains("data-class=\"leak-risk\"><span class=\"count k-leak-risk\">1</span>"), gw1);
        assertTrue(gw1.contains("data-class=\"benign\"><span class=\"count k-benign\">1</span>"), gw1);
        assertTrue(gw1.contains("<code title=\"3b1f9a07c2d5e8f4a6b0c9d1e2f3a4b5\">3b1f9a07c2d5</code>"), gw1);
        assertTrue(row("gw10").contains("data-class=\"leak-risk\">0</td>"));
    }

    @Test
    void theTimelineHasOneMarkerPerResultInTheWindow() {
        for (String host : List.of("gw1", "gw2", "gw3", "gw10")) {
            assertEquals(SampleFleet.count(ALL, host, SINCE), count("class=\"marker\" data-host=\"" + host + "\""),
                    host);
        }
        assertEquals(ALL.size(), count("class=\"marker\""));
        assertEquals(2, count("class=\"marker\" data-host=\"gw1\" data-outcome=\"drifted\""));
        assertEquals(1, count("class=\"marker\" data-host=\"gw1\" data-outcome=\"changed\""));
    }

    @Test
    void aFiveSecondScheduleDrawsOneMarkerPerRunOfEqualOutcomes() {
        List<Check> many = new java.util.ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Check.Outcome o = i >= 1000 && i < 1010 ? Check.Outcome.DRIFTED : Check.Outcome.IN_SYNC;
            many.add(new Check(0, "gw1", SampleFleet.NOW.minusSeconds(5L * (3000 - i)), Check.Kind.CHECK, o, null,
                    List.of(), "p", null, null, 1, ""));
        }
        List<List<Check>> runs = FleetPage.runs(many);
        assertEquals(List.of(1000, 10, 1990), runs.stream().map(List::size).toList());
        assertEquals(ALL.size(), count("data-results=\"1\""), "a small history draws every result");
    }

    @Test
    void aWeekLongAxisIsTickedOncePerDay() {
        List<TimeAxis.Tick> ticks = new TimeAxis(SINCE, SampleFleet.NOW).ticks();
        assertEquals(7, ticks.size());
        assertEquals("Nov 19", ticks.get(0).label());
        List<String> quarter = new TimeAxis(Instant.parse("2026-11-25T12:20:00Z"),
                Instant.parse("2026-11-25T14:10:00Z")).ticks().stream().map(TimeAxis.Tick::label).toList();
        assertEquals(List.of("12:30", "12:45", "13:00", "13:15", "13:30", "13:45", "14:00"), quarter);
    }

    @Test
    void findingsAreListedPerHostWithTheirClassesMostSevereFirst() {
        int at = PAGE.indexOf("<article class=\"host-findings\" data-host=\"gw1\">");
        String gw1 = PAGE.substring(at, PAGE.indexOf("</article>", at));
        assertTrue(gw1.indexOf("data-class=\"leak-risk\"") < gw1.indexOf("data-class=\"benign\""), gw1);
        assertTrue(gw1.contains("(TunnelVision, CVE-2024-3661)"));
        assertFalse(PAGE.contains("<article class=\"host-findings\" data-host=\"gw3\">"), "clean hosts list nothing");
    }

    @Test
    void anEmptyHistoryStillMakesAPage() {
        String empty = FleetPage.render(List.of(), List.of(), SINCE, SampleFleet.NOW);
        assertTrue(empty.contains("No stored results yet"));
        assertTrue(empty.contains("No findings"));
    }

    private static String row(String host) {
        int at = PAGE.indexOf("<tr data-host=\"" + host + "\"");
        return PAGE.substring(at, PAGE.indexOf("</tr>", at));
    }

    private static long count(String s) {
        return Pattern.compile(Pattern.quote(s)).matcher(PAGE).results().count();
    }
}
