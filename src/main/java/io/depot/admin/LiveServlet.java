package io.depot.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;

/** 200 unless the JVM is wedged (deadlocked threads); never looks at PostgreSQL, Redis or S3. */
public class LiveServlet
        extends JsonServlet
{
    private static final long serialVersionUID = 1L;

    private final transient ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    public LiveServlet(ObjectMapper json)
    {
        super(json);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException
    {
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked != null && deadlocked.length > 0) {
            write(response, 503, Map.of("live", false, "deadlockedThreads", deadlocked.length));
            return;
        }
        write(response, 200, Map.of("live", true));
    }
}
