package dev.killswitch.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.controller.inventory.HostConnection;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.playbook.Playbook;
import dev.killswitch.controller.playbook.PlaybookReader;
import dev.killswitch.controller.render.KillSwitchReader;
import dev.killswitch.controller.review.SavedPlan;
import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.HostRun;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.rollout.Status;
import dev.killswitch.controller.transport.AgentInstaller;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code killswitch plan}: a dry run, printed per host and optionally saved for an exact apply. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        header = "Dry run: show each host's plan, optionally save it for an exact apply.", sortOptions = false,
        description = {
            "Show what apply would change on each host, as a diff with each step's guard verdicts. Read-only. With -o, save the plan with each host's live-state fingerprint; 'killswitch apply FILE' then applies exactly that, refusing hosts whose live state changed since (\"plan is stale\")."},
        footer = {"", "Exit status: 0 no changes anywhere; 2 changes pending; 1 a host failed or was unreachable.", "",
            FleetOptions.PASSPHRASE_HELP})
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PLAYBOOK", description = "The playbook (YAML list of plays).")
    Path playbook;
    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Save the plan for 'killswitch apply FILE'.")
    Path out;
    @Mixin
    FleetOptions fleet;

    @Override
    public Integer call() throws Exception {
        Inventory inv = fleet.inventory();
        Playbook pb = PlaybookReader.read(playbook);
        HostRun run = new HostRun(fleet.transport(), fleet.agentJar(), fleet.runOptions(30, false), fleet.progress());
        List<Recap> recaps = new ArrayList<>();
        List<SavedPlan.Host> saved = new ArrayList<>();
        for (Play play : pb.plays()) {
            List<String> hosts = Fleet.hosts(inv, play, fleet.limit);
            // diffs and saved hosts are taken as each host finishes: the recap keeps no full reports
            Map<String, String> diffs = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, SavedPlan.Host> kept = new java.util.concurrent.ConcurrentHashMap<>();
            Recap r = new Rollout(fleet.forks, fleet.progress()).run(play.name(), hosts, List.of(), 100, h -> {
                HostResult full = run.run(inv, play, h, false);
                if (!fleet.json) {
                    diffs.put(h, diff(full));
                }
                if (full.desired() != null && full.fingerprint() != null) {
                    kept.put(h, savedHost(inv, play, full));
                }
                return full;
            });
            recaps.add(r);
            for (HostResult h : r.hosts()) {
                System.out.print(diffs.getOrDefault(h.host(), ""));
                if (kept.containsKey(h.host())) {
                    saved.add(kept.get(h.host()));
                }
            }
        }
        Fleet.print(fleet, recaps);
        if (out != null) {
            new SavedPlan(SavedPlan.SCHEMA, Instant.now().toString(), playbook.toString(), saved).write(out);
            if (!fleet.json) {
                System.out.println("Plan saved to " + out + " (" + saved.size() + " host(s)). Apply it with: "
                        + "killswitch apply " + out);
            }
        }
        if (recaps.stream().anyMatch(Recap::anyFailed)) {
            return 1;
        }
        return recaps.stream().anyMatch(Recap::anyChanged) ? 2 : 0;
    }

    private static SavedPlan.Host savedHost(Inventory inv, Play play, HostResult h) {
        HostConnection c = inv.connection(h.host());
        Map<String, Object> vars = new LinkedHashMap<>(play.vars());
        vars.putAll(inv.templateVars(h.host()));
        Object agent = vars.get("killswitch_agent_path");
        String stateDir = KillSwitchReader.read(play.killswitch(), vars).stateDir();
        return new SavedPlan.Host(h.host(), c.address(), c.port(), c.user(), c.privateKeyFile().orElse(null),
                c.become(), c.jumpHost().orElse(null), agent == null ? AgentInstaller.DEFAULT_PATH : agent.toString(),
                stateDir, h.fingerprint(), h.status() == Status.CHANGED, h.desired());
    }

    /** The per-host diff: steps grouped by phase, colored like a diff, with the guard's word on each. */
    private String diff(HostResult h) {
        StringBuilder out = new StringBuilder();
        JsonNode rep = h.report();
        if (rep == null || rep.path("steps").size() == 0) {
            return "";
        }
        boolean color = fleet.color();
        out.append('\n');
        out.append("--- " + h.host() + " (" + rep.path("fingerprint").asText() + ")").append('\n');
        String phase = "";
        for (JsonNode s : rep.path("steps")) {
            if (!s.path("phase").asText().equals(phase)) {
                phase = s.path("phase").asText();
                out.append("  " + phase).append('\n');
            }
            String action = s.path("action").asText();
            String sign = action.startsWith("delete") || action.startsWith("flush") ? "-" : action.startsWith("set")
                    ? "~" : "+";
            String c = !color ? "" : sign.equals("-") ? "\u001b[31m" : sign.equals("+") ? "\u001b[32m" : "\u001b[33m";
            String mark = s.path("guardOk").asBoolean() ? "" : "   <-- GUARD FAILS";
            out.append("    " + c + sign + " " + s.path("description").asText() + (color ? "\u001b[0m" : "")
                    + mark).append('\n');
        }
        JsonNode g = rep.path("guard");
        if (!g.isMissingNode() && !g.isNull()) {
            out.append("  guard: " + (g.path("passed").asBoolean()
                    ? "every step keeps SSH (" + g.path("checks").size() + " checks) and opens no leak"
                    : "REFUSED: " + g.path("failures"))).append('\n');
        }
        return out.toString();
    }
}
