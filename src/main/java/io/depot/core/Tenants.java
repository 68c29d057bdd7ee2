package io.depot.core;

import java.util.regex.Pattern;

/** Tenant names: short, lower-case, safe inside an S3 key and a Redis key. */
public final class Tenants
{
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Tenants() {}

    public static String validate(String tenant)
    {
        if (tenant == null || !NAME.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        return tenant;
    }
}
