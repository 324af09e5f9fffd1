package io.trolserve.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns the Kafka server's and clients' own logging down to WARN outside Quarkus (standalone
 * {@link EmbeddedKafkaMain}, plain unit tests). Inside Quarkus use configuration instead:
 * {@code quarkus.log.category."kafka".level=WARN}, {@code quarkus.log.category."org.apache.kafka".level=WARN},
 * {@code quarkus.log.category."state.change.logger".level=WARN}.
 */
public final class BrokerLogging {

    /** Kafka's logger names: Scala core classes, Java modules and clients, and its special loggers. */
    public static final List<String> KAFKA_CATEGORIES = List.of(
            "kafka", "org.apache.kafka", "state.change.logger", "kafka.request.logger", "kafka.authorizer.logger");

    // java.util.logging holds loggers weakly; keep the configured ones so their levels stick
    private static final List<Logger> PINNED = new ArrayList<>();

    private BrokerLogging() {
    }

    /** Sets the Kafka categories to {@code level} (e.g. {@link Level#WARNING}). */
    public static synchronized void setKafkaLevel(Level level) {
        for (String category : KAFKA_CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            logger.setLevel(level);
            PINNED.add(logger);
        }
    }

    /** Kafka at WARN, this package at INFO. */
    public static void quiet() {
        setKafkaLevel(Level.WARNING);
        Logger own = Logger.getLogger(BrokerLogging.class.getPackageName());
        own.setLevel(Level.INFO);
        synchronized (BrokerLogging.class) {
            PINNED.add(own);
        }
    }
}
