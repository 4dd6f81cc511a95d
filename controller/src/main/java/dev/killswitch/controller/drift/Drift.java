package dev.killswitch.controller.drift;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.controller.render.KillSwitch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Classifies a host's drift from the agent's read-only plan report: the guard's verdicts on the live
 * state (before the plan) against those on the desired state (after its last step), the policies
 * and rules that differ, and the foreign chains found.
 */
public final class Drift {
    private Drift() {
    }

    /** Classifies one host's read-only plan report against its kill switch. */
    @FunctionalInterface
    public interface Classifier {
        List<Finding> findings(JsonNode report);
    }

    /**
     * A host's classifier: the plan's findings, then the routes its facts show outside the tunnel
     * (TunnelVision); the facts may be null when the agent sent none.
     */
    public static Classifier of(KillSwitch ks, Facts facts) {
        return report -> {
            List<Finding> out = classify(report, ks.tunnel());
            out.addAll(TunnelVision.findings(facts, ks.tunnel(), TunnelVision.declared(ks)));
            return out;
        };
    }

    /** The findings for one host; empty when the host holds its desired state. */
    public static List<Finding> classify(JsonNode report, String tunnelInterface) {
        List<Finding> out = new ArrayList<>();
        if (report == null) {
            return out;
        }
        JsonNode guard = report.path("guard");
        JsonNode steps = report.path("steps");
        JsonNode after = steps.size() == 0 ? null : steps.get(steps.size() - 1).path("verdicts");
        Map<String, String> desired = new HashMap<>();
        if (after != null) {
            for (JsonNode v : after) {
                desired.put(v.path("check").asText(), v.path("verdict").asText());
            }
        }
        boolean effect = false;
        for (JsonNode v : guard.path("initial")) {
            String check = v.path("check").asText();
            String live = v.path("verdict").asText();
            boolean ok = v.path("ok").asBoolean();
            if (!ok && check.startsWith("ssh")) {
                out.add(new Finding(Finding.Kind.LOCKOUT_RISK, check + " is " + live + " on the live host, decided by "
                        + v.path("decidedBy").asText()));
            } else if (!ok && check.startsWith("expect") && check.contains(" deny ")) {
                out.add(new Finding(Finding.Kind.LEAK_RISK, check + " is " + live + " on the live host, decided by "
                        + v.path("decidedBy").asText()));
            } else if (!ok) {
                out.add(new Finding(Finding.Kind.LOCKOUT_RISK, check + " is " + live + " on the live host, decided by "
                        + v.path("decidedBy").asText()));
            }
            String want = desired.get(check);
            effect |= want != null && !want.equals(live);
        }
        for (JsonNode c : report.path("diff")) {
            String before = c.path("policyBefore").asText(null);
            String wanted = c.path("policyAfter").asText(null);
            if ("ACCEPT".equals(before) && "DROP".equals(wanted)) {
                out.add(new Finding(Finding.Kind.LEAK_RISK, c.path("family").asText() + " " + c.path("table").asText()
                        + " policy of " + c.path("chain").asText() + " is ACCEPT, want DROP"));
                effect = true;
            }
            List<String> added = minus(c.path("before"), c.path("after"));
            for (String rule : added) {
                String chain = c.path("chain").asText();
                if ((chain.equals("OUTPUT") || chain.equals("FORWARD")) && rule.endsWith("-j ACCEPT")
                        && !rule.contains("-o " + tunnelInterface) && !rule.contains("-o lo")
                        && "filter".equals(c.path("table").asText())) {
                    out.add(new Finding(Finding.Kind.LEAK_RISK, "-A " + chain + " " + rule
                            + " accepts traffic that is not bound for the tunnel"));
                    effect = true;
                }
            }
        }
        for (JsonNode f : report.path("foreign")) {
            String what = f.path("rule").isNull() || f.path("rule").isMissingNode()
                    ? "chain " + f.path("chain").asText() + " (" + f.path("rules").asInt() + " rules)"
                    : "-A " + f.path("chain").asText() + " " + f.path("rule").asText();
            out.add(new Finding(Finding.Kind.FOREIGN, f.path("family").asText() + " " + f.path("table").asText() + " "
                    + what));
        }
        boolean risky = out.stream().anyMatch(x -> x.kind() == Finding.Kind.LEAK_RISK
                || x.kind() == Finding.Kind.LOCKOUT_RISK);
        if (steps.size() > 0 && !risky && !effect) {
            out.add(new Finding(Finding.Kind.BENIGN, steps.size() + " step(s) of difference with no change in effect on "
                    + guard.path("checks").size() + " guarded packets"));
        }
        return out;
    }

    /** Rules in {@code a} that are not in {@code b} (as multisets). */
    private static List<String> minus(JsonNode a, JsonNode b) {
        Map<String, Integer> count = new HashMap<>();
        for (JsonNode r : b) {
            count.merge(r.asText(), 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode r : a) {
            Integer n = count.get(r.asText());
            if (n == null || n == 0) {
                out.add(r.asText());
            } else {
                count.put(r.asText(), n - 1);
            }
        }
        return out;
    }
}
