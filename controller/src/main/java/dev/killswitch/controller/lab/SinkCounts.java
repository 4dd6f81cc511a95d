package dev.killswitch.controller.lab;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packets that reached the sink, by source address, read from its kernel counters.
 * A gateway's {@code eth0} address as source means the packet left outside the tunnel (a leak); its tunnel
 * address means it went through the VPN peer.
 *
 * @param bySource packets per counted source address (each gateway's eth0 and tunnel address, each LAN client)
 * @param other    packets from any other source
 */
public record SinkCounts(Map<String, Long> bySource, long other) {

    private static final Pattern COUNTER = Pattern.compile(
            "^\\[(\\d+):(\\d+)] -A " + LabConfigs.SINK_CHAIN + "(?: -s ([0-9.]+)(?:/32)?)? -j RETURN$");

    public SinkCounts {
        bySource = Map.copyOf(bySource);
    }

    /** Packets from {@code address} (0 when it is not counted on its own). */
    public long from(String address) {
        return bySource.getOrDefault(address, 0L);
    }

    /** Packets that left {@code host} outside the tunnel, with its eth0 address. */
    public long leaked(LabHost host) {
        return from(host.address());
    }

    /** Packets from {@code host} that came through the tunnel, with its tunnel address. */
    public long tunnelled(LabHost host) {
        return from(host.wgAddress());
    }

    /** Every packet the sink received. */
    public long total() {
        return other + bySource.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reads the counters from {@code iptables-save -c} output of the sink's filter table. */
    static SinkCounts parse(String iptablesSaveCounters) {
        Map<String, Long> by = new LinkedHashMap<>();
        long other = -1;
        for (String line : iptablesSaveCounters.split("\n")) {
            Matcher m = COUNTER.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            long packets = Long.parseLong(m.group(1));
            if (m.group(3) == null) {
                other = packets;
            } else {
                by.merge(m.group(3), packets, Long::sum);
            }
        }
        if (other < 0) {
            throw new LabError("the sink has no " + LabConfigs.SINK_CHAIN + " counters; is the lab up?");
        }
        return new SinkCounts(by, other);
    }
}
