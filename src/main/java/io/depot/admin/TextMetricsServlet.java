package io.depot.admin;

import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prometheus' exporter answering in its text formats only. The protobuf format is not in the jar,
 * yet the exporter still picks it for a scraper that offers it first (Prometheus with native
 * histograms does) and then fails with a 500; such a scraper accepts text too, so the protobuf
 * entries of Accept are dropped before the exporter reads it.
 */
public class TextMetricsServlet
        extends PrometheusMetricsServlet
{
    private static final long serialVersionUID = 1L;
    private static final String PROTOBUF = "application/vnd.google.protobuf";

    public TextMetricsServlet(PrometheusRegistry registry)
    {
        super(registry);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException
    {
        super.service(new HttpServletRequestWrapper(request)
        {
            @Override
            public String getHeader(String name)
            {
                return "Accept".equalsIgnoreCase(name) ? textOnly(super.getHeader(name)) : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name)
            {
                if (!"Accept".equalsIgnoreCase(name)) {
                    return super.getHeaders(name);
                }
                String accept = textOnly(String.join(",", Collections.list(super.getHeaders(name))));
                return Collections.enumeration(accept == null ? List.of() : List.of(accept));
            }
        }, response);
    }

    /** Accept without its protobuf entries; null when none is left (the exporter's default: text). */
    static String textOnly(String accept)
    {
        if (accept == null) {
            return null;
        }
        String text = Arrays.stream(accept.split(","))
                .map(String::strip)
                .filter(entry -> !entry.isEmpty() && !entry.toLowerCase(Locale.ROOT).startsWith(PROTOBUF))
                .collect(Collectors.joining(","));
        return text.isEmpty() ? null : text;
    }
}
