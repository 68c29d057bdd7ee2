package io.depot.core;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer tokens: 256 random bits behind a recognisable prefix. Only the SHA-256 of a token is
 * stored; a salted slow hash buys nothing for secrets with this much entropy.
 */
public final class ApiTokens
{
    public static final String PREFIX = "dpt_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiTokens() {}

    public static String generate()
    {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public static String hash(String token)
    {
        return Hashes.sha256Hex(token);
    }

    /** A token that cannot be one of ours is rejected without a database lookup. */
    public static boolean wellFormed(String token)
    {
        return token.length() == PREFIX.length() + 43 && token.startsWith(PREFIX)
                && token.substring(PREFIX.length()).chars().allMatch(character -> Character.isLetterOrDigit(character) || character == '-' || character == '_');
    }
}
