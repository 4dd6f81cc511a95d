package dev.killswitch.controller.history;

import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Status;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns what a run did to its hosts into the {@link Check}s the history stores: one place for every command. */
public final class Records {
    private static final String CONTROLLER = hostName() + ":" + ProcessHandle.current().pid();

    private Records() {
    }

    /** This controller instance, {@code hostname:pid}. */
    public static String controller() {
        return CONTROLLER;
    }

    /**
     * A drift check of one host: in-sync, drifted (with its findings), unreachable or failed.
     *
     * @param trigger the scheduled trigger firing ({@code name@fire-time}), or null when run by hand
     */
    public static Check fromCheck(String play, HostResult r, List<Finding> findings, String trigger) {
        Check.Outcome outcome = r.status() == Status.UNREACHABLE ? Check.Outcome.UNREACHABLE
                : r.status().failed() ? Check.Outcome.FAILED
                : findings.isEmpty() ? Check.Outcome.IN_SYNC : Check.Outcome.DRIFTED;
        String message = outcome == Check.Outcome.DRIFTED ? findings.size() + " finding(s)" : r.message();
        return new Check(0, r.host(), Instant.now(), Check.Kind.CHECK, outcome, r.fingerprint(),
                outcome == Check.Outcome.DRIFTED ? findings : List.of(), play, trigger, CONTROLLER, r.millis(),
                message);
    }

    /**
     * An apply or a remediation of one host: in-sync (nothing to change), changed (and confirmed), refused (by a
     * guard, or as a stale plan), unreachable or failed (a rollback included).
     */
    public static Check fromApply(Check.Kind kind, String play, HostResult r, String trigger) {
        Check.Outcome outcome = switch (r.status()) {
            case OK -> Check.Outcome.IN_SYNC;
            case CHANGED -> Check.Outcome.CHANGED;
            case UNREACHABLE -> Check.Outcome.UNREACHABLE;
            default -> refused(r.message()) ? Check.Outcome.REFUSED : Check.Outcome.FAILED;
        };
        return new Check(0, r.host(), Instant.now(), kind, outcome, r.fingerprint(), List.of(), play, trigger,
                CONTROLLER, r.millis(), r.message());
    }

    /** Every host an apply or remediation worked on; hosts skipped because the rollout stopped are not results. */
    public static List<Check> fromApply(Check.Kind kind, Recap recap, String trigger) {
        List<Check> out = new ArrayList<>();
        for (HostResult r : recap.hosts()) {
            if (r.status() != Status.SKIPPED) {
                out.add(fromApply(kind, recap.play(), r, trigger));
            }
        }
        return out;
    }

    private static boolean refused(String message) {
        return message != null && (message.contains("refused: ") || message.contains("plan is stale"));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "localhost";
        }
    }
}
