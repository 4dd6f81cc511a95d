package dev.killswitch.controller.history;

import dev.killswitch.controller.drift.Finding;
import java.time.Instant;
import java.util.List;

/**
 * One stored result for one host: a drift check, an apply or a remediation.
 *
 * @param id          the store's id; 0 for a check not yet stored
 * @param host        the inventory host name
 * @param at          when the check finished
 * @param kind        what was done
 * @param outcome     how it ended, see {@link Outcome}
 * @param fingerprint the live-state fingerprint the agent reported, or null when it was not reached
 * @param findings    the drift findings, classified by effect (empty when in sync or not a check)
 * @param play        the play the host was checked against
 * @param trigger     the scheduled trigger firing this check belongs to ({@code name@scheduled-fire-time}),
 *                    or null for a check run by hand
 * @param controller  the controller instance that ran it (host name and pid), for clustered schedules
 * @param millis      how long the host took
 * @param message     a one-line summary or the error
 */
public record Check(long id, String host, Instant at, Kind kind, Outcome outcome, String fingerprint,
                    List<Finding> findings, String play, String trigger, String controller, long millis,
                    String message) {

    public Check {
        findings = List.copyOf(findings);
    }

    /** What the controller did to the host. */
    public enum Kind {
        CHECK, APPLY, REMEDIATE;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** How a check or apply ended. */
    public enum Outcome {
        /** The host holds its desired state. */
        IN_SYNC,
        /** A check found drift (see the findings). */
        DRIFTED,
        /** An apply changed the host and it was confirmed. */
        CHANGED,
        /** The host could not be reached. */
        UNREACHABLE,
        /** The plan was refused by a guard or as stale. */
        REFUSED,
        /** Anything else that went wrong. */
        FAILED;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }
}
