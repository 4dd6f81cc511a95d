package dev.killswitch.controller.lab;

import java.util.List;

/**
 * The live state of a lab: each gateway, and the sink's packet counts by source address.
 *
 * @param prefix    the lab's prefix
 * @param stateDir  its state directory
 * @param inventory its inventory
 * @param hosts     one entry per gateway
 * @param sink      the sink's counters
 */
public record LabStatus(String prefix, String stateDir, String inventory, List<HostStatus> hosts, SinkCounts sink) {

    public LabStatus {
        hosts = List.copyOf(hosts);
    }

    /** True when every gateway is healthy. */
    public boolean healthy() {
        return hosts.stream().allMatch(HostStatus::healthy);
    }
}
