package io.depot.cli;

import io.depot.core.DepotException;
import io.dropwizard.core.cli.Cli;

/** A command that fails says why in one line, not with a stack trace. */
final class CommandErrors
{
    private CommandErrors() {}

    static void report(Cli cli, String command, Throwable error)
    {
        Throwable cause = error;
        while (!(cause instanceof IllegalArgumentException || cause instanceof DepotException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        cli.getStdErr().println(command + ": " + cause.getMessage());
    }
}
