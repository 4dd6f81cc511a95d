package dev.killswitch.agent.guard;

/** A packet with its addresses and protocol number parsed once, for testing against many rules. */
record Probe(Packet packet, Address src, Address dst, int proto) {

    static Probe of(Packet p) {
        return new Probe(p, address(p.src(), "src"), address(p.dst(), "dst"), Protocols.number(p.proto()));
    }

    private static Address address(String text, String field) {
        if (text == null) {
            return null;
        }
        Address a = Address.parse(text);
        if (a == null) {
            throw new IllegalArgumentException("packet " + field + " is not an IP address: " + text);
        }
        return a;
    }

    /** True when the packet is known to be of another protocol than {@code number}. */
    boolean notProto(int number) {
        return proto >= 0 && proto != number;
    }
}
