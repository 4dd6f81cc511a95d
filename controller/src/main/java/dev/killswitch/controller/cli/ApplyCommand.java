package dev.killswitch.controller.cli;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.Records;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.Playbook;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.review.SavedPlan;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.transport.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code killswitch apply}: plan and apply a playbook, or apply a saved plan exactly. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        header = "Roll the kill switch out in batches, commit-confirmed, or apply a saved plan.", sortOptions = false,
        description = {
            "Roll the kill switch out: 'apply -i INVENTORY PLAYBOOK' plans and applies in one go, 'apply FILE' applies a plan saved by 'plan -o FILE' exactly (hosts changed since are refused as stale). Hosts go in batches (the play's serial; the first batch is the canary), --forks at a time; the rollout stops before the next batch when max_fail_percentage is crossed (unreachable counts as failed). Every apply is commit-confirmed: the controller confirms over a fresh SSH connection, and a host that is not confirmed within --confirm-timeout rolls itself back. Every host's outcome is recorded in the history store (see 'killswitch history' and --store)."},
        footer = {"", "Exit status: 0 every host ok or changed; 1 any host failed, unreachable or rolled back.", "",
            FleetOptions.PASSPHRASE_HELP})
final class ApplyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAYBOOK|PLANFILE",
            description = "A playbook (with -i), or a plan file saved by 'killswitch plan -o'.")
    Path file;
    @Option(names = "--confirm-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds a host waits for the confirmation before it rolls back (default: ${DEFAULT-VALUE}).")
    int confirmTimeout;
    @Option(names = "--force", description = "Apply even where the guard finds a step that drops SSH or opens a leak. "
            + "The commit-confirm still protects you: a host you lock yourself out of rolls back.")
    boolean force;
    @Mixin
    FleetOptions fleet;
    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        store.verify();
        HostRun run = new HostRun(fleet.transport(), fleet.agentJar(), fleet.runOptions(confirmTimeout, force),
                fleet.progress());
        List<Recap> recaps = new ArrayList<>();
        if (fleet.inventory == null && SavedPlan.looksLikeOne(file)) {
            SavedPlan plan = SavedPlan.read(file);
            Map<String, SavedPlan.Host> byName = plan.hosts().stream()
                    .collect(Collectors.toMap(SavedPlan.Host::host, h -> h, (a, b) -> a, java.util.LinkedHashMap::new));
            List<String> hosts = new ArrayList<>(byName.keySet());
            recaps.add(new Rollout(fleet.forks, fleet.progress()).run(plan.play(), hosts, List.of(), 100, h -> {
                SavedPlan.Host s = byName.get(h);
                Target t = new Target(h, s.address(), s.port(), s.user(),
                        Path.of(HostRun.expandHome(s.privateKey() != null ? s.privateKey() : "~/.ssh/id_ed25519")), s.become(), s.jumpHost(),
                        Duration.ofSeconds(fleet.connectTimeout), Duration.ofSeconds(180));
                return run.applySaved(t, s.agentPath(), s.stateDir(), s.desired(), s.fingerprint());
            }));
        } else {
            Inventory inv = fleet.inventory();
            Playbook pb = PlaybookReader.read(file);
            List<Play> plays = pb.plays();
            for (int i = 0; i < plays.size(); i++) {
                Play play = plays.get(i);
                Recap r = new Rollout(fleet.forks, fleet.progress()).run(play.name(), Fleet.hosts(inv, play, fleet.limit),
                        play.serial(), play.maxFailPercentage(), h -> run.run(inv, play, h, true));
                recaps.add(r);
                if (r.stopReason() != null) {
                    // as in Ansible, crossing max_fail_percentage ends the playbook; say so, as no recap shows it
                    if (i + 1 < plays.size()) {
                        System.err.println("killswitch apply: " + (plays.size() - i - 1) + " later play(s) not run: "
                                + r.stopReason());
                    }
                    break;
                }
            }
        }
        List<Check> records = new ArrayList<>();
        recaps.forEach(r -> records.addAll(Records.fromApply(Check.Kind.APPLY, r, null)));
        store.record(records);
        Fleet.print(fleet, recaps);
        return recaps.stream().anyMatch(Recap::anyFailed) ? 1 : 0;
    }
}
