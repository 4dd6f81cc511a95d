package dev.killswitch.controller.cli;

import dev.killswitch.agent.rules.Origin;
import dev.killswitch.controller.inventory.Inventory;
import dev.killswitch.controller.playbook.Play;
import dev.killswitch.controller.rollout.Recap;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the fleet commands: which hosts a play runs on, and printing the recap. */
final class Fleet {
    private Fleet() {
    }

    /** The play's hosts, narrowed by --limit, in inventory order. */
    static List<String> hosts(Inventory inv, Play play, String limit) {
        List<String> hosts = inv.select(play.hosts(), new Origin(play.origin().file(), play.origin().line(), "hosts"));
        if (limit == null) {
            return hosts;
        }
        List<String> allowed = inv.select(limit);
        List<String> out = new ArrayList<>();
        for (String h : hosts) {
            if (allowed.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }

    static void print(FleetOptions o, List<Recap> recaps) {
        if (o.json) {
            var root = dev.killswitch.agent.report.Json.MAPPER.createArrayNode();
            recaps.forEach(r -> root.add(r.json()));
            try {
                System.out.println(dev.killswitch.agent.report.Json.MAPPER.writeValueAsString(
                        recaps.size() == 1 ? recaps.get(0).json() : root));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        } else {
            recaps.forEach(r -> System.out.print(r.text(o.color())));
        }
    }
}
