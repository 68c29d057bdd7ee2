package io.depot.resources;

import io.depot.core.DependencyUnavailableException;
import io.depot.storage.StorageUnavailableException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.jdbi.v3.core.JdbiException;

/** A database or storage failure that escaped the service layer is still a 503, never a 500. */
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
            return delegate.toResponse(new DependencyUnavailableException("the database is unavailable", exception));
        }
    }

    public static class ObjectStorage
            implements ExceptionMapper<StorageUnavailableException>
    {
        private final DepotExceptionMapper delegate;

        public ObjectStorage(DepotExceptionMapper delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public Response toResponse(StorageUnavailableException exception)
        {
            return delegate.toResponse(new DependencyUnavailableException("object storage is unavailable", exception));
        }
    }
}
