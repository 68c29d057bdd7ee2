package io.depot.api;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** One page of a tenant's assets, newest first; {@code nextCursor} is null on the last page. */
public record AssetPage(List<Asset> items, String nextCursor)
{
    public AssetPage
    {
        items = List.copyOf(requireNonNull(items, "items is null"));
    }
}
