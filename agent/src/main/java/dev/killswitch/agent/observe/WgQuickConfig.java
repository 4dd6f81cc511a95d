package dev.killswitch.agent.observe;

import java.util.ArrayList;
import java.util.List;

/** The parts of a wg-quick config the kill switch needs: peer endpoints and interface addresses. */
record WgQuickConfig(List<String> endpoints, List<String> addresses) {

    static WgQuickConfig parse(String text) {
        List<String> eps = new ArrayList<>();
        List<String> addrs = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (key.equals("endpoint")) {
                eps.add(value);
            } else if (key.equals("address")) {
                for (String a : value.split(",")) {
                    addrs.add(a.strip());
                }
            }
        }
        return new WgQuickConfig(eps, addrs);
    }
}
