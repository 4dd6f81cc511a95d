package dev.killswitch.controller.report;

import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.history.Check;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small fleet's history for the report tests: gw1 drifts into a leak and is remediated, gw2 grows a foreign chain,
 * gw10 goes unreachable, and {@code edge<&"'>} carries markup in its name and findings.
 */
final class SampleFleet {
    static final Instant NOW = Instant.parse("2026-11-25T13:40:00Z");
    static final String TRICKY = "edge<&\"'>";
    static final String SCRIPT_DETAIL = "-A OUTPUT -m comment --comment \"<script>alert(1)</script>\" -j ACCEPT & more";

    private SampleFleet() {
    }

    /** Every result, oldest first, ending at {@link #NOW}. */
    static List<Check> all() {
        return all(NOW);
    }

    /** Every result, oldest first, ending at {@code now}. */
    static List<Check> all(Instant now) {
        List<Check> out = new ArrayList<>();
        for (int d = 6; d >= 1; d--) {
            Instant at = now.minus(Duration.ofDays(d)).plus(Duration.ofHours(2));
            out.add(check("gw1", at, Check.Outcome.IN_SYNC, List.of()));
            out.add(check("gw2", at.plusSeconds(40), Check.Outcome.IN_SYNC, List.of()));
            out.add(check("gw10", at.plusSeconds(80), Check.Outcome.IN_SYNC, List.of()));
        }
        Instant recent = now.minus(Duration.ofHours(5));
        out.add(check("gw1", recent, Check.Outcome.DRIFTED, List.of(
                new Finding(Finding.Kind.LEAK_RISK, "-A OUTPUT -o eth0 -j ACCEPT accepts traffic that is not bound "
                        + "for the tunnel"),
                new Finding(Finding.Kind.LEAK_RISK, "route 198.51.100.0/24 via eth0 is more specific than the tunnel's "
                        + "routes (TunnelVision, CVE-2024-3661)"))));
        out.add(new Check(0, "gw1", recent.plusSeconds(600), Check.Kind.REMEDIATE, Check.Outcome.CHANGED,
                "9f0c2d41aa73be51c0ffee", List.of(), "WireGuard kill switch", null, "ctl-a/4242", 2100,
                "3 step(s), confirmed"));
        out.add(check("gw1", now.minus(Duration.ofMinutes(20)), Check.Outcome.DRIFTED, List.of(
                new Finding(Finding.Kind.LEAK_RISK, "route 198.51.100.0/24 via eth0 is more specific than the tunnel's "
                        + "routes (TunnelVision, CVE-2024-3661)"),
                new Finding(Finding.Kind.BENIGN, "2 step(s) of difference with no change in effect on 9 guarded "
                        + "packets"))));
        out.add(check("gw2", now.minus(Duration.ofMinutes(19)), Check.Outcome.DRIFTED, List.of(
                new Finding(Finding.Kind.FOREIGN, "ipv4 filter chain DOCKER (1 rules)"))));
        out.add(new Check(0, "gw10", now.minus(Duration.ofMinutes(18)), Check.Kind.CHECK, Check.Outcome.UNREACHABLE,
                null, List.of(), "WireGuard kill switch", null, "ctl-a/4242", 10_000,
                "connect timed out after 10 s (203.0.113.20:22)"));
        out.add(check(TRICKY, now.minus(Duration.ofDays(2)), Check.Outcome.REFUSED, List.of()));
        out.add(check(TRICKY, now.minus(Duration.ofMinutes(17)), Check.Outcome.DRIFTED, List.of(
                new Finding(Finding.Kind.LOCKOUT_RISK, "ssh from 203.0.113.2 is DROP on the live host, decided by "
                        + "-A INPUT -j DROP"),
                new Finding(Finding.Kind.LEAK_RISK, SCRIPT_DETAIL))));
        out.add(new Check(0, "gw3", now.minus(Duration.ofDays(1)), Check.Kind.APPLY, Check.Outcome.FAILED, null,
                List.of(), "WireGuard kill switch", null, "ctl-b/77", 900, "agent facts failed: <no java>"));
        out.add(check("gw3", now.minus(Duration.ofMinutes(16)), Check.Outcome.IN_SYNC, List.of()));
        return out;
    }

    /** The newest result per host. */
    static List<Check> latest(List<Check> all) {
        Map<String, Check> newest = new LinkedHashMap<>();
        all.stream().sorted(Comparator.comparing(Check::at)).forEach(c -> newest.put(c.host(), c));
        return new ArrayList<>(newest.values());
    }

    /** How many results of {@code host} lie in the window from {@code since}. */
    static long count(List<Check> all, String host, Instant since) {
        return all.stream().filter(c -> c.host().equals(host) && !c.at().isBefore(since)).count();
    }

    private static Check check(String host, Instant at, Check.Outcome outcome, List<Finding> findings) {
        return new Check(0, host, at, Check.Kind.CHECK, outcome, "3b1f9a07c2d5e8f4a6b0c9d1e2f3a4b5", findings,
                "WireGuard kill switch", null, "ctl-a/4242", 840,
                outcome == Check.Outcome.IN_SYNC ? "no changes" : findings.size() + " finding(s)");
    }
}
