package dev.killswitch.agent.desired;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import java.util.List;
import java.util.Map;

/**
 * What one host's firewall must look like: the {@code killswitch/v1 DesiredState} document.
 * Only the tables named here are owned; everything else on the host is left alone.
 *
 * @param file     the file it was read from (for messages)
 * @param families the owned tables per family; a family that is absent is not touched
 * @param sysctl   sysctls to set, in file order
 * @param persist  where to persist, or null to not persist
 */
public record DesiredState(
        String file,
        String host,
        Map<Family, Map<String, TableSpec>> families,
        Map<String, Sysctl> sysctl,
        Persist persist,
        Guards guards) {

    public static final String API_VERSION = "killswitch/v1";
    public static final String KIND = "DesiredState";

    /** One owned table. */
    public record TableSpec(
            String name,
            Map<String, String> policies,
            Map<String, List<dev.killswitch.agent.rules.RawRule>> chains,
            List<String> ignore,
            Origin origin) {
    }

    /** A sysctl and where it was written. */
    public record Sysctl(String key, String value, Origin origin) {
    }

    /** Persistence targets in iptables-persistent layout; a null path is not written. */
    public record Persist(String rulesV4, String rulesV6, String sysctl) {
    }

    /** What must hold at every step of a plan. */
    public record Guards(Ssh ssh, List<Expectation> expect) {
    }

    /**
     * The SSH guard: the live flow (from SSH_CONNECTION) and new connections to these ports stay accepted.
     *
     * @param from sources that must keep reaching SSH, besides the live flow's client (CIDRs or addresses)
     */
    public record Ssh(List<Integer> ports, List<String> from) {
    }

    /** A packet that must be allowed or denied at every step. Null fields are "any". */
    public record Expectation(
            boolean allow,
            Family family,
            String chain,
            String in,
            String out,
            String proto,
            String src,
            String dst,
            Integer sport,
            Integer dport,
            String state,
            Origin origin) {
    }
}
