package dev.killswitch.controller.rollout;

import java.util.ArrayList;
import java.util.List;

/** Ansible's {@code serial}: batch sizes as numbers or percentages; the last one repeats until every host is done. */
public final class Serial {
    private Serial() {
    }

    /** Sizes of the batches for {@code hosts} hosts; an empty serial is one batch of all. */
    public static List<Integer> batches(List<Object> serial, int hosts) {
        List<Integer> out = new ArrayList<>();
        if (hosts == 0) {
            return out;
        }
        if (serial == null || serial.isEmpty()) {
            out.add(hosts);
            return out;
        }
        int left = hosts;
        int i = 0;
        while (left > 0) {
            Object s = serial.get(Math.min(i++, serial.size() - 1));
            int size;
            if (s instanceof String pct && pct.endsWith("%")) {
                size = Math.max(1, hosts * Integer.parseInt(pct.substring(0, pct.length() - 1)) / 100);
            } else {
                size = ((Number) s).intValue();
            }
            size = Math.min(size, left);
            out.add(size);
            left -= size;
        }
        return out;
    }
}
