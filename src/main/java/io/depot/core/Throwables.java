package io.depot.core;

public final class Throwables
{
    private Throwables() {}

    /** The innermost cause's message: what actually went wrong, without the wrappers' prose. */
    public static String rootMessage(Throwable throwable)
    {
        Throwable root = throwable;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
