package io.depot.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiTokensTest
{
    @Test
    void generatedTokensAreWellFormedAndDistinct()
    {
        String first = ApiTokens.generate();
        String second = ApiTokens.generate();
        assertThat(first).startsWith("dpt_").isNotEqualTo(second);
        assertThat(ApiTokens.wellFormed(first)).isTrue();
        assertThat(ApiTokens.hash(first)).hasSize(64).isNotEqualTo(ApiTokens.hash(second)).doesNotContain(first.substring(4));
    }

    @Test
    void rejectsForeignShapesWithoutALookup()
    {
        assertThat(ApiTokens.wellFormed("")).isFalse();
        assertThat(ApiTokens.wellFormed("dpt_short")).isFalse();
        assertThat(ApiTokens.wellFormed("xyz_" + "a".repeat(43))).isFalse();
        assertThat(ApiTokens.wellFormed("dpt_" + "a".repeat(42) + "/")).isFalse();
    }
}
