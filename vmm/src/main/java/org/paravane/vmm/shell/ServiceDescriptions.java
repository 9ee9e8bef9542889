package org.paravane.vmm.shell;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** How the shell prints a service registration: provider, ranking, properties, users. */
final class ServiceDescriptions {
    private ServiceDescriptions() {
    }

    static int ranking(ServiceReference<?> ref) {
        return ref.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    /** Highest ranking first, then oldest (lowest service id) first: the order DS and getService pick. */
    static final Comparator<ServiceReference<?>> PREFERENCE = Comparator
            .comparingInt((ServiceReference<?> r) -> -ranking(r))
            .thenComparingLong(r -> (Long) r.getProperty(Constants.SERVICE_ID));

    static String bundle(Bundle b) {
        return b == null ? "-" : b.getSymbolicName() + "/" + b.getVersion() + " [" + b.getBundleId() + "]";
    }

    static String properties(ServiceReference<?> ref) {
        TreeMap<String, String> props = new TreeMap<>();
        for (String key : ref.getPropertyKeys()) {
            if (!key.equals(Constants.OBJECTCLASS) && !key.equals(Constants.SERVICE_BUNDLEID)
                    && !key.equals(Constants.SERVICE_SCOPE)) {
                props.put(key, format(ref.getProperty(key)));
            }
        }
        return props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    static String users(ServiceReference<?> ref) {
        Bundle[] using = ref.getUsingBundles();
        if (using == null || using.length == 0) {
            return "-";
        }
        return Arrays.stream(using).map(Bundle::getSymbolicName).sorted().collect(Collectors.joining(", "));
    }

    private static String format(Object value) {
        if (value instanceof Object[] array) {
            return Arrays.toString(array);
        }
        if (value instanceof List<?> list) {
            return list.toString();
        }
        return Objects.toString(value);
    }
}
