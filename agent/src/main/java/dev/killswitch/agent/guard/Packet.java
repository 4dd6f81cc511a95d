package dev.killswitch.agent.guard;

import dev.killswitch.agent.rules.Family;

/**
 * A packet offered to a chain of the filter table. A null field is unknown: any rule that tests it
 * evaluates to "unknown", never to a guess.
 *
 * @param chain INPUT, OUTPUT or FORWARD
 * @param in    input interface (INPUT, FORWARD)
 * @param out   output interface (OUTPUT, FORWARD)
 * @param proto tcp, udp, icmp, ipv6-icmp, or another /etc/protocols name
 * @param src   source address without prefix
 * @param dst   destination address without prefix
 * @param state conntrack state: NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED
 */
public record Packet(
        Family family,
        String chain,
        String in,
        String out,
        String proto,
        String src,
        String dst,
        Integer sport,
        Integer dport,
        String state) {
}
