package io.depot.resources;

import io.depot.core.DepotException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.jdbi.v3.core.JdbiException;
import software.amazon.awssdk.core.exception.SdkException;

/** A database or S3 failure that escaped the service layer is still a 503, never a 500. */
public final class DependencyUnavailableMapper
{
    private DependencyUnavailableMapper() {}

    public static class Database
            implements ExceptionMapper<JdbiException>
    {
        private final DepotExceptionMapper delegate;

        public Database(DepotExceptionMapper delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public Response toResponse(JdbiException exception)
        {
            return delegate.toResponse(DepotException.unavailable("the database is unavailable", exception));
        }
    }

    public static class ObjectStorage
            implements ExceptionMapper<SdkException>
    {
        private final DepotExceptionMapper delegate;

        public ObjectStorage(DepotExceptionMapper delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public Response toResponse(SdkException exception)
        {
            return delegate.toResponse(DepotException.unavailable("object storage is unavailable", exception));
        }
    }
}
