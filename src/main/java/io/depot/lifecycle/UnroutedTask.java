package io.depot.lifecycle;

import io.dropwizard.servlets.tasks.Task;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * {@code POST /tasks/unrouted} on the admin port (loopback only): depotctl says so once the
 * host's nginx sends this colour nothing and cannot any more, so the stop that follows skips the
 * drain window, which only gives a router time to notice /ready. Requests and uploads in flight
 * still finish as on every stop.
 */
public final class UnroutedTask
        extends Task
{
    private final ShutdownState shutdown;

    public UnroutedTask(ShutdownState shutdown)
    {
        super("unrouted");
        this.shutdown = requireNonNull(shutdown, "shutdown is null");
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output)
    {
        shutdown.markUnrouted();
        output.println("unrouted: a stop skips the drain window");
    }
}
