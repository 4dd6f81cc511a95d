package dev.killswitch.controller.schedule;

import dev.killswitch.controller.history.Check;
import java.util.List;

/** One drift check of every host of the playbook (the work of {@code drift --once}), run by each firing. */
@FunctionalInterface
public interface FleetCheck {

    /**
     * Checks every host once (and remediates, if asked) and returns one result per host, not yet stored.
     *
     * @param trigger the firing, {@code <trigger name>@<scheduled fire time>}, stored with every result
     */
    List<Check> run(String trigger) throws Exception;
}
