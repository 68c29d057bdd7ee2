package io.depot.core;

import static java.util.Objects.requireNonNull;

/**
 * A request Depot cannot fulfil, with the precise message its caller should see. Each kind is
 * a subclass; how a kind is expressed (an HTTP status, a command's exit) is the caller's edge's
 * business, so nothing here knows about HTTP.
 */
public abstract sealed class DepotException
        extends RuntimeException
        permits InvalidInputException, UnsupportedContentTypeException, NotFoundException, NotAcceptableException, ConflictException, GoneException, TooLargeException,
        DependencyUnavailableException, OverloadedException, TooManyRequestsException
{
    protected DepotException(String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
    }
}
