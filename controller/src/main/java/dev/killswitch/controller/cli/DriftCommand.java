package dev.killswitch.controller.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.Playbook;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.rollout.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code killswitch drift --once}: is every gateway still holding its kill switch? */
@Command(name = "drift", mixinStandardHelpOptions = true,
        header = "Check every host read-only for drift from its kill switch, and classify it by effect.",
        description = {"Plans every host of the playbook read-only, in parallel, and classifies each difference by "
                + "what it does, using the agent's packet simulator on the live rules: leak-risk (an invariant "
                + "fails live, a policy is looser, or a rule accepts traffic out of the physical interface), "
                + "lockout-risk (SSH not provably accepted), foreign (chains and rules matched by ignore, such as "
                + "Docker's), benign (different rules, no change in effect on any guarded packet). With "
                + "--remediate, drifted hosts are brought back with the same guards and commit-confirm as a rollout."},
        footer = {"", "Exit status: 0 no drift; 2 drift found (after --remediate: drift that was not remediated); "
                + "1 errors (unreachable hosts, bad input)."})
final class DriftCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook whose kill switch the hosts must hold.")
    Path playbook;
    @Option(names = "--once", required = true, description = "Check once and exit (for cron and CI).")
    boolean once;
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

    @Override
    public Integer call() throws Exception {
        Inventory inv = fleet.inventory();
        Playbook pb = PlaybookReader.read(playbook);
        HostRun run = new HostRun(fleet.transport(), fleet.agentJar(), fleet.runOptions(confirmTimeout, false),
                fleet.progress());
        Set<Finding.Kind> fix = EnumSet.noneOf(Finding.Kind.class);
        for (String c : classes) {
            fix.add(Finding.Kind.valueOf(c.toUpperCase().replace('-', '_')));
        }
        boolean errors = false;
        boolean drifted = false;
        ArrayNode json = Json.MAPPER.createArrayNode();
        for (Play play : pb.plays()) {
            List<String> hosts = Fleet.hosts(inv, play, fleet.limit);
            Recap check = new Rollout(fleet.forks, fleet.progress()).run(play.name(), hosts, List.of(), 100,
                    h -> run.run(inv, play, h, false));
            Map<String, List<Finding>> findings = new LinkedHashMap<>();
            List<String> toFix = new ArrayList<>();
            for (HostResult h : check.hosts()) {
                if (h.status().failed()) {
                    errors = true;
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
                fixed = new Rollout(fleet.forks, fleet.progress()).run(play.name(), toFix, play.serial(),
                        play.maxFailPercentage(), h -> run.run(inv, play, h, true));
                errors |= fixed.anyFailed();
            }
            for (Map.Entry<String, List<Finding>> e : findings.entrySet()) {
                boolean remediated = fixed != null && fixed.hosts().stream().anyMatch(r -> r.host().equals(e.getKey())
                        && (r.status() == Status.CHANGED || r.status() == Status.OK));
                drifted |= !e.getValue().isEmpty() && !remediated;
            }
            print(play, check, findings, fixed, json);
        }
        if (fleet.json) {
            System.out.println(Json.MAPPER.writeValueAsString(json));
        }
        return errors ? 1 : drifted ? 2 : 0;
    }

    private void print(Play play, Recap check, Map<String, List<Finding>> findings, Recap fixed, ArrayNode json) {
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
