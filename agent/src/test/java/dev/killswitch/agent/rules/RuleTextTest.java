package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleTextTest {
    @Test
    void rendersCoreThenMatchesThenTarget() {
        Rule r = new Rule(List.of(Opt.of("-p", "tcp")),
                List.of(new Match("tcp", List.of(new Opt("--dport", true, List.of("22"))))),
                Target.jump("ACCEPT"), true);
        assertEquals("-p tcp -m tcp ! --dport 22 -j ACCEPT", r.text());
    }
}
