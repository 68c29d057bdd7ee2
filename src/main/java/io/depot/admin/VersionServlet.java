package io.depot.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.depot.core.ReleaseInfo;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import static java.util.Objects.requireNonNull;

public class VersionServlet
        extends JsonServlet
{
    private static final long serialVersionUID = 1L;

    private final transient CompletableFuture<ReleaseInfo> release;

    public VersionServlet(ObjectMapper json, CompletableFuture<ReleaseInfo> release)
    {
        super(json);
        this.release = requireNonNull(release, "release is null");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException
    {
        write(response, 200, release.join());
    }
}
