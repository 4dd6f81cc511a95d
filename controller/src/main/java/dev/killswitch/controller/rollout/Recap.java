package dev.killswitch.controller.rollout;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.report.Json;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The end of a run: every host's outcome and, if a batch crossed max_fail_percentage, why.
 *
 * @param stopReason null when no batch crossed max_fail_percentage; the rollout stopped there unless it was the last
 *     batch (see {@link #stopped()})
 */
public record Recap(String play, List<HostResult> hosts, String stopReason, long millis) {
    public static final String SCHEMA = "killswitch.recap/v1";

    public Recap {
        hosts = List.copyOf(hosts);
    }

    public Map<Status, Integer> counts() {
        Map<Status, Integer> m = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            m.put(s, 0);
        }
        for (HostResult h : hosts) {
            m.merge(h.status(), 1, Integer::sum);
        }
        return m;
    }

    public boolean anyFailed() {
        return hosts.stream().anyMatch(h -> h.status().failed()) || stopReason != null;
    }

    /** True when hosts were left unattempted: a batch crossed max_fail_percentage and batches came after it. */
    public boolean stopped() {
        return stopReason != null && hosts.stream().anyMatch(h -> h.status() == Status.SKIPPED);
    }

    public boolean anyChanged() {
        return hosts.stream().anyMatch(h -> h.status() == Status.CHANGED);
    }

    /** PLAY RECAP, the way Ansible users read it. */
    public String text(boolean color) {
        StringBuilder sb = new StringBuilder();
        sb.append("\nPLAY RECAP ").append("*".repeat(69)).append('\n');
        for (HostResult h : hosts) {
            int ok = h.status() == Status.OK || h.status() == Status.CHANGED ? 1 : 0;
            sb.append(String.format("%-26s : ok=%-4d changed=%-4d unreachable=%-4d failed=%-4d rolled_back=%-4d skipped=%d%n",
                    h.host(), ok, h.status() == Status.CHANGED ? 1 : 0, h.status() == Status.UNREACHABLE ? 1 : 0,
                    h.status() == Status.FAILED ? 1 : 0, h.status() == Status.ROLLED_BACK ? 1 : 0,
                    h.status() == Status.SKIPPED ? 1 : 0));
        }
        for (HostResult h : hosts) {
            if (h.status().failed() && h.message() != null) {
                sb.append(color ? "\u001b[31m" : "").append(h.host()).append(": ").append(h.message())
                        .append(color ? "\u001b[0m" : "").append('\n');
            }
        }
        if (stopReason != null) {
            // after the last batch nothing was left to stop
            sb.append(color ? "\u001b[31m" : "").append(stopped() ? "STOPPED: " : "FINISHED WITH FAILURES: ")
                    .append(stopReason)
                    .append(color ? "\u001b[0m" : "").append('\n');
        }
        Map<Status, Integer> c = counts();
        sb.append(String.format("%d host(s) in %.1f s: %d ok, %d changed, %d failed, %d unreachable, %d rolled back, "
                        + "%d skipped%n", hosts.size(), millis / 1000.0, c.get(Status.OK), c.get(Status.CHANGED),
                c.get(Status.FAILED), c.get(Status.UNREACHABLE), c.get(Status.ROLLED_BACK), c.get(Status.SKIPPED)));
        return sb.toString();
    }

    /** The JSON form for pipelines ({@value #SCHEMA}). */
    public ObjectNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("play", play);
        root.put("millis", millis);
        root.put("stopped", stopped());
        root.put("stopReason", stopped() ? stopReason : null);
        ObjectNode counts = root.putObject("counts");
        counts().forEach((s, n) -> counts.put(s.name().toLowerCase(), n));
        ArrayNode hs = root.putArray("hosts");
        for (HostResult h : hosts) {
            ObjectNode o = hs.addObject();
            o.put("host", h.host());
            o.put("status", h.status().name().toLowerCase());
            o.put("message", h.message());
            o.put("steps", h.steps());
            o.put("fingerprint", h.fingerprint());
            o.put("millis", h.millis());
            if (h.report() != null) {
                o.set("report", h.report());
            }
        }
        return root;
    }
}
