package org.paravane.asyncpf.table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.asyncpf.SleeperTableFactory;

/**
 * The {@link SleeperTableFactory} service: the one enqueue path both waiters share is the table it hands out.
 *
 * <p>Tables it created are remembered weakly (for the shell) and closed when this service goes away: their waiters end
 * {@link org.paravane.api.asyncpf.WaitOutcome#RELEASED}, the guests retry their accesses synchronously, and a guest
 * kernel that wants async page faults again asks the next factory for a new table.
 */
@Component(service = SleeperTableFactory.class)
public final class SleeperTables implements SleeperTableFactory {

    private final Set<BucketedSleeperTable> created = Collections.newSetFromMap(new WeakHashMap<>());
    private boolean active = true;

    @Override
    public synchronized SleeperTable create(String owner) {
        if (!active) {
            throw new IllegalStateException("the sleeper table factory is stopping; no table for " + owner);
        }
        BucketedSleeperTable table = new BucketedSleeperTable(owner);
        created.add(table);
        return table;
    }

    /** Tables created and still referenced by their guests. */
    public synchronized List<BucketedSleeperTable> tables() {
        return new ArrayList<>(created);
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        created.forEach(BucketedSleeperTable::close);
        created.clear();
    }
}
