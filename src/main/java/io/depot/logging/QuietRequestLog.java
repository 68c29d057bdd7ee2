package io.depot.logging;

import ch.qos.logback.access.jetty.RequestLogImpl;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Stdout carries JSON lines only, for the log shipper. logback-access prints its start-up status
 * there in plain text (a version check that a shaded jar cannot pass), so it is told to be quiet
 * before the server starts it.
 */
public class QuietRequestLog
        implements LifeCycle.Listener
{
    @Override
    public void lifeCycleStarting(LifeCycle event)
    {
        if (event instanceof Server server && server.getRequestLog() instanceof RequestLogImpl requestLog) {
            requestLog.setQuiet(true);
        }
    }
}
