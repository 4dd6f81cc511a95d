package dev.killswitch.agent.guard;

import dev.killswitch.agent.rules.Rule;

/**
 * The ways a walk from one point of a chain can end, for one packet: a set of ends (accept, deny,
 * return to the caller, undecidable target), each with the first rule that ends that way. "First" is
 * in walk order with every undecidable match taken before it is skipped, so for a certain verdict the
 * named rule is the one a reader following the chains top-down meets first.
 */
final class Outcomes {
    static final int ACCEPT = 1;
    static final int DENY = 2;
    static final int RETURN = 4;
    static final int UNDECIDED = 8;

    /** Falling off the end of a chain, or RETURN: back to the caller. */
    static final Outcomes BACK = new Outcomes(RETURN, RETURN, null, null, null, null);

    final int ends;
    /** The ends in the order the walk meets them, one per 4 bits, lowest first. */
    private final int order;
    final Site accept;
    final Site deny;
    final Site undecided;
    /** The first rule whose undecidable match leads to different ends; set when there is more than one end. */
    final Site branch;

    private Outcomes(int ends, int order, Site accept, Site deny, Site undecided, Site branch) {
        this.ends = ends;
        this.order = order;
        this.accept = accept;
        this.deny = deny;
        this.undecided = undecided;
        this.branch = branch;
    }

    /** One certain end, decided at {@code site}. */
    static Outcomes end(int end, Site site) {
        return switch (end) {
            case ACCEPT -> new Outcomes(ACCEPT, ACCEPT, site, null, null, null);
            case DENY -> new Outcomes(DENY, DENY, null, site, null, null);
            case UNDECIDED -> new Outcomes(UNDECIDED, UNDECIDED, null, null, site, null);
            default -> BACK;
        };
    }

    boolean mayReturn() {
        return (ends & RETURN) != 0;
    }

    /** These outcomes with a return replaced by what follows it. */
    Outcomes then(Outcomes after) {
        if (!mayReturn()) {
            return this;
        }
        if (ends == RETURN) {
            return after;
        }
        Sequence s = new Sequence();
        for (int o = order; o != 0; o >>>= 4) {
            int end = o & 0xf;
            if (end == RETURN) {
                s.addAll(after);
            } else {
                s.add(end, this);
            }
        }
        return s.build(several(s.ends) ? branch : null);
    }

    /** A rule whose match is undecidable: either branch may happen, the taken one first. */
    static Outcomes join(Site at, Outcomes taken, Outcomes notTaken) {
        if (taken == notTaken) {
            return taken;
        }
        Sequence s = new Sequence();
        s.addAll(taken);
        s.addAll(notTaken);
        return s.build(taken.ends != notTaken.ends ? at : several(s.ends) ? taken.branch : null);
    }

    private static boolean several(int ends) {
        return Integer.bitCount(ends) > 1;
    }

    /** Ends collected in walk order; an end already met keeps its first rule. */
    private static final class Sequence {
        int ends;
        int order;
        int shift;
        Site accept;
        Site deny;
        Site undecided;

        void addAll(Outcomes o) {
            for (int x = o.order; x != 0; x >>>= 4) {
                add(x & 0xf, o);
            }
        }

        void add(int end, Outcomes from) {
            if ((ends & end) != 0) {
                return;
            }
            ends |= end;
            order |= end << shift;
            shift += 4;
            switch (end) {
                case ACCEPT -> accept = from.accept;
                case DENY -> deny = from.deny;
                case UNDECIDED -> undecided = from.undecided;
                default -> { }
            }
        }

        Outcomes build(Site branch) {
            return new Outcomes(ends, order, accept, deny, undecided, branch);
        }
    }

    /** The packet's decision once returns have been resolved by the policy. */
    Decision decision() {
        return switch (ends) {
            case ACCEPT -> new Decision(Verdict.ACCEPT, accept.describe());
            case DENY -> new Decision(Verdict.DENY, deny.describe());
            case UNDECIDED -> new Decision(Verdict.UNKNOWN, undecided.describe());
            default -> new Decision(Verdict.UNKNOWN, branch.describe());
        };
    }

    /** A rule of the filter table (index from 0) or, with a null rule, a chain policy. */
    record Site(String chain, int index, Rule rule, String policy) {
        String describe() {
            if (rule == null) {
                return "policy of " + chain + " (" + policy + ")";
            }
            String text = rule.text();
            return "filter " + chain + " #" + (index + 1) + ": -A " + chain + (text.isEmpty() ? "" : " " + text);
        }
    }
}
