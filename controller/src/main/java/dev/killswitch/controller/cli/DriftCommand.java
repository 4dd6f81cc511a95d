package dev.killswitch.controller.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.Records;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.Playbook;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Progress;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.rollout.Status;
import dev.killswitch.controller.schedule.EventLog;
import dev.killswitch.controller.schedule.Misfire;
import dev.killswitch.controller.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code killswitch drift --once} or {@code --schedule CRON}: is every gateway still holding its kill switch? */
@Command(name = "drift", mixinStandardHelpOptions = true,
        header = "Check every host read-only for drift from its kill switch, and classify it by effect.",
        description = {"Plans every host of the playbook read-only, in parallel, and classifies each difference by "
                + "what it does, using the agent's packet simulator on the live rules: leak-risk (an invariant "
                + "fails live, a policy is looser, or a rule accepts traffic out of the physical interface), "
                + "lockout-risk (SSH not provably accepted), foreign (chains and rules matched by ignore, such as "
                + "Docker's), benign (different rules, no change in effect on any guarded packet). With "
                + "--remediate, drifted hosts are brought back with the same guards and commit-confirm as a rollout.",
                "", "Every host's check (and remediation) is recorded in the history store with its findings, "
                + "fingerprint and outcome: see 'killswitch history' and --store."},
        footer = {"", "Exit status: 0 no drift; 2 drift found (after --remediate: drift that was not remediated); "
                + "1 errors (unreachable hosts, bad input). With --schedule: 0 after a clean stop on SIGTERM, 1 if a "
                + "check was still running after --stop-timeout or the schedule could not start.",
                "", "  killswitch drift -i inventory/hosts.yml playbooks/killswitch.yml --once",
                "  killswitch drift -i inventory/hosts.yml playbooks/killswitch.yml --schedule '0 0/15 * * * ?' "
                + "--store jdbc:postgresql://db/killswitch", "", FleetOptions.PASSPHRASE_HELP})
final class DriftCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook whose kill switch the hosts must hold.")
    Path playbook;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode when;
    @Option(names = "--misfire", paramLabel = "POLICY", defaultValue = "fire-once-now",
            description = "With --schedule, what to do about firings missed by more than --misfire-threshold (every "
                    + "controller was down): fire-once-now runs one check at once, skip waits for the next scheduled "
                    + "time (default: ${DEFAULT-VALUE}). Firings late by less, as in a takeover, all run, in order.")
    String misfire;
    @Option(names = "--misfire-threshold", paramLabel = "SECONDS", defaultValue = "60",
            description = "With --schedule, how late a firing may start and still run as scheduled (default: "
                    + "${DEFAULT-VALUE}); give every controller of a cluster the same.")
    int misfireThreshold;
    @Option(names = "--stop-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "With --schedule, how long SIGTERM waits for a running check to finish and be recorded "
                    + "(default: ${DEFAULT-VALUE}).")
    int stopTimeout;
    @Option(names = "--retain", paramLabel = "AGE", converter = When.Age.class,
            description = "After recording, delete the stored results older than AGE (90d, 24h, P90D), except each "
                    + "host's newest, as 'history prune' does; with --schedule after every firing (default: keep all).")
    Duration retain;
    @Option(names = "--remediate", description = "Apply the desired state to drifted hosts (guarded, commit-confirmed).")
    boolean remediate;
    @Option(names = "--remediate-classes", split = ",", paramLabel = "CLASS",
            description = "Only remediate drift of these classes: leak-risk, lockout-risk, foreign, benign "
                    + "(default: leak-risk, lockout-risk, benign; foreign chains are never changed anyway).")
    List<String> classes = new ArrayList<>(List.of("leak-risk", "lockout-risk", "benign"));
    @Option(names = "--confirm-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Confirm timeout for remediation (default: ${DEFAULT-VALUE}).")
    int confirmTimeout;
    @Mixin
    FleetOptions fleet;
    @Mixin
    StoreOptions store;
    @Spec
    CommandSpec spec;

    /** Once, or as a service on a schedule. */
    static final class Mode {
        @Option(names = "--once", required = true, description = "Check once and exit (for cron and CI).")
        boolean once;
        @Option(names = "--schedule", required = true, paramLabel = "CRON",
                description = "Run as a service, checking on this Quartz cron schedule: 6 or 7 fields, seconds first, "
                        + "'?' in day-of-month or day-of-week, e.g. \"0/5 * * * * ?\" every 5 seconds, "
                        + "\"0 0/15 * * * ?\" every 15 minutes. Every host of every firing is recorded in the store; "
                        + "controllers on one PostgreSQL store share the schedule and run each firing once. Stops "
                        + "on SIGTERM. Logs one JSON object per line on stderr.")
        String schedule;
    }

    @Override
    public Integer call() throws Exception {
        Schedule.Spec spec = when.schedule == null ? null : scheduleSpec();
        Inventory inv = fleet.inventory();
        Playbook pb = PlaybookReader.read(playbook);
        store.verify();
        if (spec != null) {
            return scheduled(spec, inv, pb);
        }
        List<PlayDrift> results = checkOnce(inv, pb, fleet.progress());
        List<Check> records = new ArrayList<>();
        results.forEach(r -> records.addAll(r.records(null)));
        store.record(records);
        if (retain != null) {
            store.prune(java.time.Instant.now().minus(retain));
        }
        ArrayNode json = Json.MAPPER.createArrayNode();
        results.forEach(r -> print(r, json));
        if (fleet.json) {
            System.out.println(Json.MAPPER.writeValueAsString(json));
        }
        return results.stream().anyMatch(PlayDrift::errors) ? 1 : results.stream().anyMatch(PlayDrift::drifted) ? 2 : 0;
    }

    /** Runs the check on the schedule until SIGTERM, recording every host of every firing in one transaction. */
    private int scheduled(Schedule.Spec schedule, Inventory inv, Playbook pb) throws Exception {
        History history = store.open();
        try {
            Schedule s = Schedule.start(schedule, store.url(), history, trigger -> {
                List<Check> records = new ArrayList<>();
                checkOnce(inv, pb, Progress.QUIET).forEach(r -> records.addAll(r.records(trigger)));
                return records;
            }, EventLog.stderr());
            s.serve(Duration.ofSeconds(stopTimeout), history);
        } catch (Exception e) {
            history.close();
            throw e;
        }
        return 0;
    }

    /** The schedule the options ask for; a bad cron or misfire policy is refused before any host is contacted. */
    private Schedule.Spec scheduleSpec() {
        try {
            return new Schedule.Spec(scheduleName(), when.schedule, Misfire.parse(misfire),
                    Duration.ofSeconds(misfireThreshold), retain);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * The trigger's name, from the playbook's and inventory's file names (and --limit): controllers given the same
     * files share one trigger, whatever directory they run in.
     */
    private String scheduleName() {
        String name = "drift:" + playbook.getFileName() + ":" + (fleet.inventory == null ? "-" : fleet.inventory.getFileName());
        return fleet.limit == null ? name : name + ":" + fleet.limit;
    }

    /** One play's check: every host's result, its findings by host, and the remediation's recap (null if none). */
    record PlayDrift(Play play, Recap check, Map<String, List<Finding>> findings, Recap fixed) {
        boolean errors() {
            return check.hosts().stream().anyMatch(h -> h.status().failed()) || fixed != null && fixed.anyFailed();
        }

        /** Some host still differs: drift found and not remediated. */
        boolean drifted() {
            return findings.entrySet().stream().anyMatch(e -> !e.getValue().isEmpty() && !remediated(e.getKey()));
        }

        /**
         * What the store keeps: every host's check, and every remediated host's apply. In a firing, remediations are
         * recorded under {@code <trigger>/remediate}, since the store keeps one result per trigger and host.
         */
        List<Check> records(String trigger) {
            List<Check> out = new ArrayList<>();
            for (HostResult h : check.hosts()) {
                out.add(Records.fromCheck(play.name(), h, findings.getOrDefault(h.host(), List.of()), trigger));
            }
            if (fixed != null) {
                out.addAll(Records.fromApply(Check.Kind.REMEDIATE, fixed, trigger == null ? null : trigger + "/remediate"));
            }
            return out;
        }

        boolean remediated(String host) {
            return fixed != null && fixed.hosts().stream().anyMatch(r -> r.host().equals(host)
                    && (r.status() == Status.CHANGED || r.status() == Status.OK));
        }
    }

    /** Checks every host of every play once, read-only, and remediates drifted hosts if asked: --once and each firing. */
    List<PlayDrift> checkOnce(Inventory inv, Playbook pb, Progress progress) throws IOException {
        HostRun run = new HostRun(fleet.transport(), fleet.agentJar(), fleet.runOptions(confirmTimeout, false), progress);
        Set<Finding.Kind> fix = EnumSet.noneOf(Finding.Kind.class);
        for (String c : classes) {
            fix.add(Finding.Kind.valueOf(c.toUpperCase().replace('-', '_')));
        }
        List<PlayDrift> out = new ArrayList<>();
        for (Play play : pb.plays()) {
            List<String> hosts = Fleet.hosts(inv, play, fleet.limit);
            Recap check = new Rollout(fleet.forks, progress).run(play.name(), hosts, List.of(), 100,
                    h -> run.run(inv, play, h, false));
            Map<String, List<Finding>> findings = new LinkedHashMap<>();
            List<String> toFix = new ArrayList<>();
            for (HostResult h : check.hosts()) {
                if (h.status().failed()) {
                    continue;
                }
                List<Finding> f = h.drift(); // classified as each host finished: the recap keeps no full reports
                findings.put(h.host(), f);
                if (f.stream().anyMatch(x -> fix.contains(x.kind())) && h.status() == Status.CHANGED) {
                    toFix.add(h.host());
                }
            }
            Recap fixed = null;
            if (remediate && !toFix.isEmpty()) {
                fixed = new Rollout(fleet.forks, progress).run(play.name(), toFix, play.serial(),
                        play.maxFailPercentage(), h -> run.run(inv, play, h, true));
            }
            out.add(new PlayDrift(play, check, findings, fixed));
        }
        return out;
    }

    private void print(PlayDrift r, ArrayNode json) {
        Play play = r.play();
        Recap check = r.check();
        Map<String, List<Finding>> findings = r.findings();
        Recap fixed = r.fixed();
        if (fleet.json) {
            ObjectNode o = json.addObject();
            o.put("schema", "killswitch.drift/v1");
            o.put("play", play.name());
            ObjectNode hosts = o.putObject("hosts");
            for (HostResult h : check.hosts()) {
                ObjectNode ho = hosts.putObject(h.host());
                ho.put("status", h.status().failed() ? h.status().name().toLowerCase()
                        : findings.getOrDefault(h.host(), List.of()).isEmpty() ? "in-sync" : "drifted");
                ho.put("fingerprint", h.fingerprint());
                ho.put("message", h.message());
                ArrayNode fs = ho.putArray("findings");
                for (Finding f : findings.getOrDefault(h.host(), List.of())) {
                    fs.addObject().put("class", f.kind().label()).put("detail", f.detail());
                }
            }
            if (fixed != null) {
                o.set("remediation", fixed.json());
            }
            return;
        }
        System.out.println();
        System.out.println("DRIFT " + "*".repeat(74));
        for (HostResult h : check.hosts()) {
            List<Finding> f = findings.getOrDefault(h.host(), List.of());
            String state = h.status().failed() ? h.status().name().toLowerCase() + ": " + h.message()
                    : f.isEmpty() ? "in sync" : "drifted";
            System.out.printf("%-26s : %s%n", h.host(), state);
            for (Finding x : f) {
                System.out.printf("    %-13s %s%n", x.kind().label(), x.detail());
            }
        }
        if (fixed != null) {
            System.out.print(fixed.text(fleet.color()));
        }
    }
}
