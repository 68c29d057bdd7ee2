package io.depot.api;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** One page of a tenant's assets, newest first; {@code nextCursor} is null on the last page. */
@Schema(description = "One page of the tenant's assets, newest first.", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
public record AssetPage(
        @ArraySchema(arraySchema = @Schema(description = "The assets of this page, newest first.", requiredMode = Schema.RequiredMode.REQUIRED)) List<Asset> items,
        @Schema(description = "The cursor of the next page (pass it as `cursor`), or null on the last page.", types = {"string", "null"},
                requiredMode = Schema.RequiredMode.REQUIRED) String nextCursor)
{
    public AssetPage
    {
        items = List.copyOf(requireNonNull(items, "items is null"));
    }
}
