package dev.killswitch.agent.rules;

/** The builtin canonicaliser when it knows every rule of the family, else the kernel. */
public final class AutoCanonicalizer implements Canonicalizer {

    private final BuiltinCanonicalizer builtin;
    private final Canonicalizer kernel;

    public AutoCanonicalizer(BuiltinCanonicalizer builtin, Canonicalizer kernel) {
        this.builtin = builtin;
        this.kernel = kernel;
    }

    @Override
    public Ruleset canonicalize(RawRuleset raw) {
        Ruleset fast = builtin.canonicalize(raw); // also validates: policy errors stop here
        return BuiltinCanonicalizer.allKnown(fast) ? fast : kernel.canonicalize(raw);
    }
}
