package io.depot.resources;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource (or method) that needs no token: {@link TokenRequired} binds no Bearer challenge and
 * no per-token rate limit to it. Not {@code @PermitAll}, which dropwizard-auth takes as a route to
 * authenticate.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface PublicRoute {}
