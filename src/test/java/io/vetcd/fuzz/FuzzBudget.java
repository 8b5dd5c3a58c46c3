package io.vetcd.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * How long a fuzz property runs: CI runs each with its annotated tries and a fixed seed (so a CI
 * failure replays), a long run sets {@code -Dvetcd.fuzz.tries=N} (every property, N tries) and
 * {@code -Dvetcd.fuzz.seed=random} (a new seed each run, printed by jqwik on failure) or
 * {@code -Dvetcd.fuzz.seed=<seed>} to replay one.
 */
public final class FuzzBudget implements AroundPropertyHook {
    /** The seed CI runs with when none is given. */
    static final String CI_SEED = "160516";

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String tries = System.getProperty("vetcd.fuzz.tries");
        if (tries != null && !tries.isBlank()) context.attributes().setTries(Integer.parseInt(tries.trim()));
        String seed = System.getProperty("vetcd.fuzz.seed", CI_SEED).trim();
        if (!seed.equalsIgnoreCase("random")) context.attributes().setSeed(seed);
        return property.execute();
    }
}
