package io.depot.health;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.depot.db.ChangelogDao;
import org.jdbi.v3.core.Jdbi;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The changesets this release's changelog declares, as "id::author" like Liquibase's changelog table. */
public final class ChangeSets
{
    public static final String CHANGELOG = "migrations.xml";

    private ChangeSets() {}

    public static Set<String> declared()
    {
        try (InputStream changelog = ChangeSets.class.getClassLoader().getResourceAsStream(CHANGELOG)) {
            if (changelog == null) {
                throw new IllegalStateException(CHANGELOG + " is not on the classpath");
            }
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(true);
            NodeList changeSets = factory.newDocumentBuilder().parse(changelog).getElementsByTagNameNS("*", "changeSet");
            Set<String> declared = new LinkedHashSet<>();
            for (int index = 0; index < changeSets.getLength(); index++) {
                Element changeSet = (Element) changeSets.item(index);
                declared.add(changeSet.getAttribute("id") + "::" + changeSet.getAttribute("author"));
            }
            return declared;
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot read " + CHANGELOG, e);
        }
    }

    /** Declared changesets the database has not applied yet, sorted; a database without a changelog table has applied none. */
    public static List<String> pending(Jdbi jdbi, Set<String> declared)
    {
        Set<String> applied = jdbi.withExtension(ChangelogDao.class, dao -> dao.exists() ? Set.copyOf(dao.appliedChangeSets()) : Set.of());
        List<String> pending = new ArrayList<>();
        for (String changeSet : declared) {
            if (!applied.contains(changeSet)) {
                pending.add(changeSet);
            }
        }
        pending.sort(null);
        return pending;
    }
}
