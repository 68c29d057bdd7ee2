package io.depot.cli;

import io.depot.DepotConfiguration;
import io.depot.api.ApiToken;
import io.depot.core.ApiTokens;
import io.depot.core.Tenants;
import io.depot.core.Uuids;
import io.depot.db.TokenDao;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.util.Duration;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Pattern;

/** Creates, lists and revokes API tokens. A new token is shown once, alone on the last line of stdout. */
public class TokenCommand
        extends ConfiguredCommand<DepotConfiguration>
{
    /**
     * The highest limit a token may be given: per minute (config.yml's window) that is about 16,700
     * requests a second, more than the largest fleet serves (infra/depot.yml's MaxSize of 6 hosts,
     * each ~2,000 a second of the cheapest read in make bench), so a higher number would be no limit
     * at all, and is most likely a typing mistake.
     */
    private static final int MAX_REQUESTS_PER_WINDOW = 1_000_000;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");

    public TokenCommand()
    {
        super("token", "Create, list or revoke API tokens: token create --tenant T --name N [--requests-per-window R] | token list [--tenant T] | token revoke --id ID");
    }

    @Override
    public void configure(Subparser subparser)
    {
        subparser.addArgument("action").choices("create", "list", "revoke").help("what to do");
        subparser.addArgument("--tenant").help("tenant the token belongs to (create; filter for list)");
        subparser.addArgument("--name").help("a label saying who or what uses the token (create)");
        subparser.addArgument("--requests-per-window").metavar("R")
                .help("the token's own rate limit, 1 to " + MAX_REQUESTS_PER_WINDOW + " requests per limits.rateLimitWindow; without it, limits.requestsPerWindow (create)");
        subparser.addArgument("--id").help("id of the token to revoke (revoke)");
        super.configure(subparser);
    }

    @Override
    protected void run(Bootstrap<DepotConfiguration> bootstrap, Namespace namespace, DepotConfiguration configuration)
            throws Exception
    {
        try (CommandDatabase database = new CommandDatabase(configuration)) {
            switch (namespace.getString("action")) {
                case "create" -> create(database, namespace);
                case "list" -> list(database, namespace);
                case "revoke" -> revoke(database, namespace, configuration.getAuth().getTokenCacheTtl());
                default -> throw new IllegalArgumentException("unknown action");
            }
        }
    }

    private static void create(CommandDatabase database, Namespace namespace)
    {
        String tenant = Tenants.validate(required(namespace, "tenant"));
        String name = required(namespace, "name");
        if (name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("--name must be at most 100 printable characters");
        }
        OptionalInt requestsPerWindow = requestsPerWindow(namespace.getString("requests_per_window"));
        String token = ApiTokens.generate();
        UUID id = UUID.randomUUID();
        database.jdbi().useExtension(TokenDao.class, dao -> dao.insert(id, tenant, name, ApiTokens.hash(token), requestsPerWindow));
        System.out.printf("Created token %s for tenant %s (%s), rate limit %s. It is shown only now; Depot keeps only its hash:%n",
                id, tenant, name, rateLimit(requestsPerWindow));
        System.out.println(token);
    }

    private static OptionalInt requestsPerWindow(String value)
    {
        if (value == null) {
            return OptionalInt.empty();
        }
        // Nine digits at most cannot overflow an int; anything else is refused as 0 is.
        int requests = WHOLE_NUMBER.matcher(value).matches() ? Integer.parseInt(value) : 0;
        if (requests < 1 || requests > MAX_REQUESTS_PER_WINDOW) {
            throw new IllegalArgumentException("--requests-per-window must be a whole number from 1 to " + MAX_REQUESTS_PER_WINDOW + ", not '" + value + "'");
        }
        return OptionalInt.of(requests);
    }

    private static String rateLimit(OptionalInt requestsPerWindow)
    {
        return requestsPerWindow.isPresent() ? requestsPerWindow.getAsInt() + "/window" : "default";
    }

    private static void list(CommandDatabase database, Namespace namespace)
    {
        String tenant = namespace.getString("tenant");
        List<ApiToken> tokens = database.jdbi().withExtension(TokenDao.class, dao -> dao.list(tenant == null ? null : Tenants.validate(tenant)));
        System.out.printf("%-36s  %-20s  %-24s  %-14s  %-28s  %s%n", "ID", "TENANT", "NAME", "RATE LIMIT", "CREATED", "REVOKED");
        for (ApiToken token : tokens) {
            System.out.printf("%-36s  %-20s  %-24s  %-14s  %-28s  %s%n", token.id(), token.tenant(), token.name(), rateLimit(token.requestsPerWindow()),
                    token.createdAt(), token.revokedAt() == null ? "-" : token.revokedAt());
        }
    }

    private static void revoke(CommandDatabase database, Namespace namespace, Duration bound)
    {
        UUID id = Uuids.parse(required(namespace, "id"), "--id");
        int revoked = database.jdbi().withExtension(TokenDao.class, dao -> dao.revoke(id));
        if (revoked == 0) {
            throw new IllegalArgumentException("no active token " + id);
        }
        // Instances keep an accepted token for up to auth.tokenCacheTtl: say when the revocation holds everywhere.
        System.out.println("Revoked token " + id + "; every instance refuses it within " + bound);
    }

    private static String required(Namespace namespace, String option)
    {
        String value = namespace.getString(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + option + " is required for " + namespace.getString("action"));
        }
        return value;
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable error)
    {
        CommandErrors.report(cli, "token", error);
    }
}
