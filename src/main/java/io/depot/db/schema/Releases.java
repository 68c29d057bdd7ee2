package io.depot.db.schema;

import java.util.Comparator;

/** Release versions in release order: dotted parts compared as numbers where both are numbers. */
public final class Releases
{
    public static final Comparator<String> ORDER = Releases::compare;

    private Releases() {}

    private static int compare(String left, String right)
    {
        String[] leftParts = left.split("[.+-]");
        String[] rightParts = right.split("[.+-]");
        for (int index = 0; index < Math.min(leftParts.length, rightParts.length); index++) {
            String a = leftParts[index];
            String b = rightParts[index];
            int order = a.matches("\\d+") && b.matches("\\d+") ? new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b)) : a.compareTo(b);
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(leftParts.length, rightParts.length);
    }
}
