package dev.killswitch.controller.playbook;

import java.util.List;

/** A playbook: plays run in order. */
public record Playbook(String file, List<Play> plays) {
    public Playbook {
        plays = List.copyOf(plays);
    }
}
