package io.depot.logging;

import ch.qos.logback.access.common.spi.IAccessEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.logging.common.filter.FilterFactory;

import java.util.Set;

/** Keeps health and readiness probes (several a second across a fleet) out of the request log. */
@JsonTypeName("probes")
public class ProbeRequestLogFilterFactory
        implements FilterFactory<IAccessEvent>
{
    private static final Set<String> PROBES = Set.of("/ready", "/live", "/version", "/healthcheck", "/ping", "/metrics", "/nginx-health");

    @Override
    public Filter<IAccessEvent> build()
    {
        return new Filter<>()
        {
            @Override
            public FilterReply decide(IAccessEvent event)
            {
                return PROBES.contains(event.getRequestURI()) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        };
    }
}
